//! `story-cluster run`: read articles, report stories and near-duplicates.

use crate::cli::unit_interval;
use clap::Args as ClapArgs;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use story_cluster::corpus::{self, ReadOptions};
use story_cluster::error::{EXIT_BAD_INPUT, EXIT_OK, Error};
use story_cluster::report::{Format, Report};
use story_cluster::{Config, analyse, dedup, story};

/// Report the stories and near-duplicate groups in a set of articles.
///
/// PATH may be a folder (read recursively: .txt and .md files are one
/// article each, the first non-empty line its title and the file name its
/// id; .jsonl/.json hold objects with id, text and optional title, date,
/// url, source; any of these may be gzipped), a file, or - for standard
/// input. Bad inputs are reported on stderr and skipped; the exit code is
/// then 1, but the report still covers everything else.
#[derive(Debug, ClapArgs)]
#[command(after_help = "Exit codes: 0 success, 1 bad input (reported on stderr), 2 usage error.")]
pub struct Args {
    /// Folders, files, or - for standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Exact Jaccard similarity of character shingles at which two
    /// documents are near-duplicates.
    #[arg(long, value_name = "J", default_value_t = dedup::DEFAULT_THRESHOLD, value_parser = unit_interval)]
    dup_threshold: f64,

    /// Mean cosine similarity at which documents join one story: the height
    /// at which the average-linkage tree is cut. Lower gives broader stories.
    #[arg(long, value_name = "S", default_value_t = story::DEFAULT_THRESHOLD as f64, value_parser = unit_interval)]
    story_threshold: f64,

    /// Stop at the first bad input instead of skipping it.
    #[arg(long)]
    strict: bool,

    /// Largest document accepted, in bytes (a text file, a JSON line).
    #[arg(long, value_name = "BYTES", default_value_t = ReadOptions::default().max_document_bytes)]
    max_document_bytes: u64,

    /// Print no notes about skipped files.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    let read = ReadOptions {
        max_document_bytes: args.max_document_bytes,
    };
    let corpus = corpus::read_paths(&args.paths, &read);
    if !args.quiet {
        for note in &corpus.notes {
            eprintln!("story-cluster: note: {note}");
        }
    }
    for problem in &corpus.problems {
        eprintln!("story-cluster: error: {problem}");
    }
    if args.strict && !corpus.problems.is_empty() {
        return Err(Error::Input(format!(
            "{} bad input(s); stopping because of --strict",
            corpus.problems.len()
        )));
    }
    if corpus.documents.is_empty() {
        return Err(Error::Input("no documents to analyse".into()));
    }
    let mut config = Config::default();
    config.dedup.threshold = args.dup_threshold;
    config.stories = story::StoryOptions::with_threshold(args.story_threshold as f32);
    let analysis = analyse(corpus.documents, &config);
    let report = Report::new(&analysis, &corpus.problems);
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(File::create(path).map_err(|err| {
            Error::Input(format!("{}: cannot write: {err}", path.display()))
        })?)),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    match report
        .write(args.format, &mut out)
        .and_then(|()| out.flush())
    {
        Ok(()) => {}
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        Err(err) => return Err(Error::Io(err)),
    }
    Ok(if corpus.problems.is_empty() {
        EXIT_OK
    } else {
        EXIT_BAD_INPUT
    })
}
