//! Writes a generated corpus (see `story_cluster::synth`) as JSON lines, and
//! the ids of its injected copies with their originals as TSV.
//!
//! cargo run --release --example synth_corpus -- DOCUMENTS OUT.jsonl [ORIGINS.tsv] [BASE...]
//!
//! BASE defaults to the bundled fixtures (ECB+ articles and the seeds).

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use story_cluster::corpus::{ReadOptions, read_paths};
use story_cluster::report::dedup::write_documents;
use story_cluster::synth::{SynthOptions, generate};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: synth_corpus DOCUMENTS OUT.jsonl [ORIGINS.tsv] [BASE...]");
        std::process::exit(2);
    }
    let documents: usize = args[0].parse().expect("DOCUMENTS is a number");
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let base_paths: Vec<PathBuf> = if args.len() > 3 {
        args[3..].iter().map(PathBuf::from).collect()
    } else {
        vec![fixtures.join("ecbplus-dev/docs"), fixtures.join("seeds")]
    };
    let base = read_paths(&base_paths, &ReadOptions::default()).documents;
    let options = SynthOptions {
        documents,
        duplicate_share: 0.1,
        seed: 1,
    };
    let corpus = generate(&base, &options);
    let docs: Vec<&story_cluster::corpus::Document> = corpus.iter().map(|d| &d.document).collect();
    let mut out = BufWriter::new(std::fs::File::create(&args[1])?);
    write_documents(&docs, &mut out)?;
    out.flush()?;
    if let Some(origins) = args.get(2) {
        let mut out = BufWriter::new(std::fs::File::create(origins)?);
        writeln!(out, "doc_id\tcopy_of")?;
        for d in corpus.iter().filter(|d| d.copy_of.is_some()) {
            writeln!(
                out,
                "{}\t{}",
                d.document.id,
                d.copy_of.as_deref().unwrap_or("")
            )?;
        }
        out.flush()?;
    }
    Ok(())
}
