//! `story-cluster dedup`: near-duplicate groups only, on the fast path (no
//! vectors, no stories), or the deduplicated corpus itself.

use super::common::{InputArgs, read_corpus};
use super::output::write_to;
use crate::cli::unit_interval;
use clap::{Args as ClapArgs, ValueEnum};
use std::path::PathBuf;
use story_cluster::error::{Error, exit_code};
use story_cluster::report::dedup::{
    DedupFormat, Keep, unique_documents, write_documents, write_groups,
};
use story_cluster::{Config, PairSearch, dedup, deduplicate};

/// Find near-duplicate articles, or write the corpus without them.
///
/// Reads the same inputs as `run`. Documents are near-duplicates when the
/// exact Jaccard similarity of their character 5-shingle sets reaches the
/// threshold; LSH on MinHash signatures proposes the candidate pairs, and
/// every reported pair is verified exactly.
#[derive(Debug, ClapArgs)]
#[command(after_help = "Exit codes: 0 success, 1 bad input (reported on stderr), 2 usage error.")]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Exact Jaccard similarity at which two documents are near-duplicates.
    #[arg(long, value_name = "J", default_value_t = dedup::DEFAULT_THRESHOLD, value_parser = unit_interval)]
    threshold: f64,

    /// Output format of the groups.
    #[arg(long, short = 'f', value_parser = crate::cli::choice::<DedupFormat>(), default_value = "tsv")]
    format: DedupFormat,

    /// What to write: the groups, or the corpus with one document per group
    /// (JSON lines: id, title, text, date, url, source; in input order).
    #[arg(long, value_enum, default_value = "groups")]
    emit: Emit,

    /// Which document of a group `--emit unique` keeps.
    #[arg(long, value_parser = crate::cli::choice::<Keep>(), default_value = "first")]
    keep: Keep,

    /// Print the LSH banding and its detection probabilities on stderr.
    #[arg(long)]
    explain: bool,

    /// Find pairs by an exact all-pairs search instead of LSH (slower; for
    /// checking).
    #[arg(long)]
    exact: bool,

    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// What `dedup` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Emit {
    /// The near-duplicate groups, in `--format`.
    Groups,
    /// The deduplicated corpus.
    Unique,
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    let mut config = Config::default();
    config.dedup.threshold = args.threshold;
    config.progress = args.input.progress();
    // Only the deduplicated corpus shows the texts again.
    config.release_bodies = args.emit == Emit::Groups;
    if args.explain {
        explain(&config);
    }
    let parquet_out = args
        .output
        .as_deref()
        .is_some_and(story_cluster::corpus::is_parquet);
    if parquet_out && args.emit != Emit::Unique {
        return Err(Error::Usage(
            "a .parquet output holds documents: it goes with --emit unique".into(),
        ));
    }
    if parquet_out && !cfg!(feature = "parquet") {
        return Err(Error::Usage(
            "writing Parquet needs the `parquet` feature (cargo install --path . --features serve,parquet)".into(),
        ));
    }
    let corpus = read_corpus(&args.input)?;
    let search = if args.exact {
        PairSearch::Exact
    } else {
        PairSearch::Lsh
    };
    let analysis = deduplicate(corpus.documents, &config, search);
    args.input.timings().time("report", || {
        write_output(&args, &analysis, &corpus.problems)
    })?;
    args.input.print_timings();
    // The process ends here: freeing every document and text one by one
    // would take 5 % of a run, and the system reclaims them at once.
    std::mem::forget(analysis);
    Ok(exit_code(!corpus.problems.is_empty()))
}

/// Writes what `--emit` asks for.
fn write_output(
    args: &Args,
    analysis: &story_cluster::DedupAnalysis,
    problems: &[story_cluster::error::InputProblem],
) -> Result<(), Error> {
    match args.emit {
        Emit::Groups => write_to(args.output.as_deref(), |out| {
            write_groups(analysis, problems, args.format, out)
        }),
        Emit::Unique => {
            let kept = unique_documents(analysis, args.keep);
            match args.output.as_deref() {
                #[cfg(feature = "parquet")]
                Some(path) if story_cluster::corpus::is_parquet(path) => write_parquet(&kept, path),
                output => write_to(output, |out| write_documents(&kept, out)),
            }
        }
    }
}

/// Writes the kept documents to a Parquet file.
#[cfg(feature = "parquet")]
fn write_parquet(
    kept: &[&story_cluster::corpus::Document],
    path: &std::path::Path,
) -> Result<(), Error> {
    let fail = |err: &dyn std::fmt::Display| {
        Error::Input(format!("{}: cannot write: {err}", path.display()))
    };
    let file = std::fs::File::create(path).map_err(|err| fail(&err))?;
    story_cluster::corpus::parquet::write(kept, std::io::BufWriter::new(file))
        .map_err(|err| fail(&err))
}

fn explain(config: &Config) {
    let bands = config.dedup.bands();
    story_cluster::error::note(format_args!(
        "LSH: {} bands × {} rows ({} of {} MinHash values), threshold {}, required recall {}",
        bands.bands,
        bands.rows,
        bands.bands * bands.rows,
        config.dedup.num_hashes,
        config.dedup.threshold,
        dedup::MIN_RECALL
    ));
    let figures: Vec<String> = [0.5, 0.7, 0.8, 0.9]
        .iter()
        .map(|&j| format!("J={j}: {:.4}", bands.detection_probability(j)))
        .collect();
    story_cluster::error::note(format_args!(
        "probability a pair is a candidate: {}",
        figures.join(", ")
    ));
}
