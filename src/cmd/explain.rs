//! `story-cluster explain`: why two documents are, or are not, near-duplicates
//! and in one story.

use super::common::{InputArgs, TuningArgs, read_corpus};
use super::output::write_to;
use clap::{Args as ClapArgs, ValueEnum};
use std::io::{self, Write};
use std::path::PathBuf;
use story_cluster::corpus::{Document, ReadOptions};
use story_cluster::error::{Error, exit_code};
use story_cluster::explain::{ExplainOptions, Explanation, explain};
use story_cluster::pipeline::analyse_keeping_texts;
use story_cluster::progress::When;

/// Explain why two documents are, or are not, grouped.
///
/// With PATHs, A and B are document ids among the documents read from them
/// (an id may be shortened to a prefix that only it starts with), and the
/// whole input is analysed as `run` would, so the stories and groups are
/// those of that run. Without PATHs, A and B are two files, one document
/// each, analysed on their own (term weights then come from the two alone).
///
/// Prints the character-shingle Jaccard (exact, and as MinHash estimates
/// it), the TF-IDF cosine, the shared terms that carry the cosine, the
/// longest passages both texts hold, and whether and why the two share a
/// near-duplicate group and a story.
#[derive(Debug, ClapArgs)]
#[command(after_help = "Exit codes: 0 success, 1 bad input (reported on stderr), 2 usage error.")]
pub struct Args {
    /// The first document: an id (or id prefix), or a file without PATHs.
    a: String,

    /// The second document.
    b: String,

    /// Folders, files, or - for standard input, holding A and B.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    #[command(flatten)]
    tuning: TuningArgs,

    /// Shared terms listed.
    #[arg(long, value_name = "N", default_value_t = ExplainOptions::default().terms)]
    terms: usize,

    /// Shared passages listed.
    #[arg(long, value_name = "N", default_value_t = ExplainOptions::default().passages)]
    passages: usize,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: ExplainFormat,

    /// Largest document accepted, in bytes (a text file, a JSON line).
    #[arg(long, value_name = "BYTES", default_value_t = ReadOptions::default().max_document_bytes, value_parser = crate::cli::document_bytes)]
    max_document_bytes: u64,

    /// Print no notes about skipped files, and no progress bars.
    #[arg(long, short = 'q')]
    quiet: bool,

    /// Progress bars on stderr (only when it is a terminal).
    #[arg(long, value_parser = crate::cli::choice::<When>(), value_name = "WHEN", default_value = "auto")]
    progress: When,
}

/// Formats of `explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ExplainFormat {
    /// Readable in a terminal.
    Text,
    /// One JSON object.
    Json,
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    let input = |paths: Vec<PathBuf>| InputArgs {
        paths,
        strict: false,
        max_document_bytes: args.max_document_bytes,
        quiet: args.quiet,
        progress: args.progress,
        timings: false,
        recorded: Default::default(),
    };
    let progress = input(Vec::new()).progress();
    let (documents, problems, ids) = if args.paths.is_empty() {
        let mut documents = Vec::new();
        let mut problems = Vec::new();
        for file in [&args.a, &args.b] {
            let corpus = read_corpus(&input(vec![PathBuf::from(file)]))?;
            if corpus.documents.len() != 1 {
                return Err(Error::Usage(format!(
                    "{file} holds {} documents; without PATHs, A and B must be files of one \
                     document each (give PATHs to pick documents by id)",
                    corpus.documents.len()
                )));
            }
            problems.extend(corpus.problems);
            documents.extend(corpus.documents);
        }
        if documents[0].id == documents[1].id {
            return Err(Error::Usage(format!(
                "both files give the id '{}'; rename one, or give them as PATHs",
                documents[0].id
            )));
        }
        let ids = [documents[0].id.clone(), documents[1].id.clone()];
        documents.sort_by(|x, y| x.id.cmp(&y.id));
        (documents, problems, ids)
    } else {
        let corpus = read_corpus(&input(args.paths.clone()))?;
        let ids = [
            resolve(&corpus.documents, &args.a)?,
            resolve(&corpus.documents, &args.b)?,
        ];
        (corpus.documents, corpus.problems, ids)
    };
    if ids[0] == ids[1] {
        return Err(Error::Usage(format!(
            "A and B are the same document, '{}'",
            ids[0]
        )));
    }
    let index = |id: &str| {
        documents
            .binary_search_by(|d| d.id.as_str().cmp(id))
            .expect("resolved ids are in the corpus")
    };
    let (a, b) = (index(&ids[0]), index(&ids[1]));
    let mut config = args.tuning.config();
    config.progress = progress;
    let (analysis, prepared) = analyse_keeping_texts(documents, &config);
    let options = ExplainOptions {
        terms: args.terms,
        passages: args.passages,
        ..ExplainOptions::default()
    };
    let explanation = explain(&analysis, &prepared, a, b, &options);
    write_to(None, |out| match args.format {
        ExplainFormat::Text => write_text(&explanation, out),
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &explanation)?;
            writeln!(out)
        }
    })?;
    Ok(exit_code(!problems.is_empty()))
}

/// The id `given` names: itself, or the one id it is a prefix of.
fn resolve(documents: &[Document], given: &str) -> Result<String, Error> {
    if documents
        .binary_search_by(|d| d.id.as_str().cmp(given))
        .is_ok()
    {
        return Ok(given.to_owned());
    }
    // Documents are sorted by id, so those starting with `given` are a run.
    let from = documents.partition_point(|d| d.id.as_str() < given);
    let matching: Vec<&str> = documents[from..]
        .iter()
        .take_while(|d| d.id.starts_with(given))
        .map(|d| d.id.as_str())
        .take(6)
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(Error::Usage(format!(
            "no document with id '{given}' in the input"
        ))),
        many => Err(Error::Usage(format!(
            "'{given}' names more than one document: {}{}",
            many[..many.len().min(5)].join(", "),
            if many.len() > 5 { ", …" } else { "" }
        ))),
    }
}

fn write_text(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    for (name, side) in [("A", &e.a), ("B", &e.b)] {
        writeln!(out, "{name}  {}  {}", side.id, side.title)?;
        let sub = side
            .substory
            .as_deref()
            .map(|s| format!(", sub-story {s}"))
            .unwrap_or_default();
        let group = side
            .duplicate_group
            .as_deref()
            .map(|g| format!(", near-duplicate group {g}"))
            .unwrap_or_default();
        writeln!(out, "   {} · story {}{sub}{group}", side.origin, side.story)?;
    }
    writeln!(out)?;
    let yes = |same: bool| if same { "yes" } else { "no" };
    writeln!(out, "Near-duplicates: {}", yes(e.duplicate.same))?;
    writeln!(out, "  {}", e.duplicate.reason)?;
    writeln!(
        out,
        "  shingle Jaccard {:.4} (MinHash estimate {:.4}; LSH proposes pairs this similar \
         with probability {:.4})",
        e.jaccard, e.minhash_jaccard, e.detection_probability
    )?;
    writeln!(out, "Same story: {}", yes(e.story.same))?;
    writeln!(out, "  {}", e.story.reason)?;
    match e.days_apart {
        Some(days) => writeln!(
            out,
            "  TF-IDF cosine {:.4} × time factor {:.4} ({days:.1} days apart) = similarity {:.4}",
            e.cosine, e.time_factor, e.similarity
        )?,
        None => writeln!(
            out,
            "  TF-IDF cosine {:.4} (not both dated: no time factor)",
            e.cosine
        )?,
    }
    writeln!(out)?;
    if e.shared_terms.is_empty() {
        writeln!(out, "No shared terms.")?;
    } else {
        writeln!(
            out,
            "Shared terms ({} of {}; weight in A × weight in B = share of the cosine):",
            e.shared_terms.len(),
            e.shared_term_count
        )?;
        let width = e
            .shared_terms
            .iter()
            .map(|t| t.term.chars().count())
            .max()
            .unwrap_or(0);
        for t in &e.shared_terms {
            let pad = width - t.term.chars().count();
            writeln!(
                out,
                "  {}{}  {:.4} × {:.4} = {:.4}",
                t.term,
                " ".repeat(pad),
                t.weight_a,
                t.weight_b,
                t.contribution
            )?;
        }
    }
    writeln!(out)?;
    if e.passages.is_empty() {
        writeln!(
            out,
            "No shared passages of {} words or more.",
            story_cluster::text::passages::MIN_WORDS
        )?;
    } else {
        writeln!(out, "Longest shared passages:")?;
        for (i, p) in e.passages.iter().enumerate() {
            writeln!(out, "  {}. {} words: {}", i + 1, p.words, p.a)?;
            if p.b != p.a {
                writeln!(out, "     in B: {}", p.b)?;
            }
        }
    }
    Ok(())
}
