//! Generated corpora for tests and benches: `story_cluster::synth` over the
//! bundled fixtures (the ECB+ articles and the seeds), with injected
//! near-duplicates of known origin.

use std::io::Write;
use std::path::Path;
use story_cluster::corpus::{Document, ReadOptions, read_paths};
use story_cluster::report::dedup::write_documents;
use story_cluster::synth::{SynthOptions, generate};

/// `documents` generated articles, `duplicate_share` of them edited copies,
/// in generation order; the same for the same `seed`.
pub fn generated_documents(documents: usize, duplicate_share: f64, seed: u64) -> Vec<Document> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let base = read_paths(
        &[fixtures.join("ecbplus-dev/docs"), fixtures.join("seeds")],
        &ReadOptions::default(),
    )
    .documents;
    let options = SynthOptions {
        documents,
        duplicate_share,
        seed,
    };
    generate(&base, &options)
        .into_iter()
        .map(|d| d.document)
        .collect()
}

/// Writes documents as JSON lines (the form every reader takes back).
pub fn write_jsonl(path: &Path, docs: &[Document]) {
    let refs: Vec<&Document> = docs.iter().collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    write_documents(&refs, &mut out).expect("write");
    out.flush().expect("flush");
}
