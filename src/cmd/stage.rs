//! `story-cluster stage`: near-duplicate detection in stages with a Parquet
//! file between each, for corpora cut into parts (see
//! `story_cluster::stage`). Run by hand they give `dedup`'s report; a
//! cluster job runs the same stages through the Python package.

use super::common::{InputArgs, read_corpus};
use super::output::write_to;
use crate::cli::unit_interval;
use arrow_array::RecordBatch;
use clap::{Args as ClapArgs, Subcommand};
use std::path::{Path, PathBuf};
use story_cluster::dedup;
use story_cluster::error::{Error, exit_code};
use story_cluster::stage::arrow::{self as stage_arrow, Stage};
use story_cluster::stage::{self, Settings};

/// Run near-duplicate detection one stage at a time, with Parquet files
/// between stages: per part of a corpus where a stage works per document,
/// over all parts' files where it needs the whole corpus.
///
///   story-cluster stage lines part1/ -o lines1.parquet        (per part)
///   story-cluster stage boilerplate lines*.parquet -o boilerplate.parquet
///   story-cluster stage sign part1/ --boilerplate boilerplate.parquet -o signed1.parquet
///   story-cluster stage candidates signed*.parquet -o candidates.parquet
///   story-cluster stage verify candidates.parquet --signed signed*.parquet -o verified.parquet
///   story-cluster stage group verified.parquet --signed signed*.parquet
///
/// The last prints what `dedup` prints on the whole corpus, byte for
/// byte. Each file records the settings it was made with; a stage refuses
/// files made with others.
#[derive(Debug, ClapArgs)]
#[command(after_help = "Exit codes: 0 success, 1 bad input (reported on stderr), 2 usage error.")]
pub struct Args {
    #[command(subcommand)]
    stage: StageCommand,
}

/// The stages.
#[derive(Debug, Subcommand)]
enum StageCommand {
    /// Per document of a part: its line hashes, title tails and body
    /// signature (what the corpus-wide boilerplate count needs).
    Lines(LinesArgs),
    /// Over every part's lines: the boilerplate lines and site names.
    Boilerplate(ManyArgs),
    /// Per document of a part, with the boilerplate table: its prepared
    /// text and LSH band keys.
    Sign(SignArgs),
    /// Over every part's signed rows: the candidate pairs of each band
    /// bucket.
    Candidates(ManyArgs),
    /// The candidate pairs whose exact Jaccard similarity reaches the
    /// threshold.
    Verify(WithSignedArgs),
    /// The near-duplicate groups of the verified pairs, as `dedup` reports
    /// them.
    Group(GroupArgs),
}

#[derive(Debug, ClapArgs)]
struct LinesArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Exact Jaccard similarity at which two documents are near-duplicates
    /// (set here; every later stage takes it from its input's metadata).
    #[arg(long, value_name = "J", default_value_t = dedup::DEFAULT_THRESHOLD, value_parser = unit_interval)]
    threshold: f64,

    /// The Parquet file to write.
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    output: PathBuf,
}

#[derive(Debug, ClapArgs)]
struct ManyArgs {
    /// The previous stage's files (every part's).
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,

    /// The Parquet file to write.
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    output: PathBuf,
}

#[derive(Debug, ClapArgs)]
struct SignArgs {
    #[command(flatten)]
    input: InputArgs,

    /// The boilerplate lines and site names (`stage boilerplate`'s output).
    #[arg(long, value_name = "FILE", required = true)]
    boilerplate: PathBuf,

    /// The Parquet file to write.
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    output: PathBuf,
}

#[derive(Debug, ClapArgs)]
struct WithSignedArgs {
    /// The candidate pairs (`stage candidates`' output).
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,

    /// The signed rows of every part (`stage sign`'s outputs).
    #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
    signed: Vec<PathBuf>,

    /// The Parquet file to write.
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    output: PathBuf,
}

#[derive(Debug, ClapArgs)]
struct GroupArgs {
    /// The verified pairs (`stage verify`'s output).
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,

    /// The signed rows of every part (`stage sign`'s outputs).
    #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
    signed: Vec<PathBuf>,

    /// Write JSON lines rows instead of TSV.
    #[arg(long)]
    jsonl: bool,

    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    match args.stage {
        StageCommand::Lines(args) => lines(args),
        StageCommand::Boilerplate(args) => {
            let (settings, rows) = rows(&args.inputs, Stage::Lines, None, stage_arrow::lines_rows)?;
            let table = stage::boilerplate(&rows, &settings);
            write(
                &args.output,
                Stage::Boilerplate,
                &settings,
                &stage_arrow::table_batch(&table),
            )?;
            Ok(0)
        }
        StageCommand::Sign(args) => sign(args),
        StageCommand::Candidates(args) => {
            let (settings, rows) = rows(&args.inputs, Stage::Sign, None, stage_arrow::signed_rows)?;
            let pairs = stage::candidates(&rows);
            write(
                &args.output,
                Stage::Candidates,
                &settings,
                &stage_arrow::pairs_batch(&pairs),
            )?;
            Ok(0)
        }
        StageCommand::Verify(args) => {
            let (settings, pairs) =
                rows(&args.inputs, Stage::Candidates, None, stage_arrow::pairs_of)?;
            let signed = signed(&args.signed, &settings)?;
            let text_of: ahash::AHashMap<&str, &str> = signed
                .iter()
                .map(|r| (r.id.as_str(), r.text.as_str()))
                .collect();
            let text = |id: &str| {
                text_of.get(id).copied().ok_or_else(|| {
                    Error::Input(format!(
                        "candidate '{id}' is in no signed file given with --signed"
                    ))
                })
            };
            let with_texts = pairs
                .iter()
                .map(|(a, b)| Ok((a.as_str(), b.as_str(), text(a)?, text(b)?)))
                .collect::<Result<Vec<_>, Error>>()?;
            let verified = stage::verify(&with_texts, &settings);
            write(
                &args.output,
                Stage::Verify,
                &settings,
                &stage_arrow::verified_batch(&verified),
            )?;
            Ok(0)
        }
        StageCommand::Group(args) => {
            let (settings, pairs) =
                rows(&args.inputs, Stage::Verify, None, stage_arrow::verified_of)?;
            let signed = signed(&args.signed, &settings)?;
            let members = stage::group(&pairs, &signed, &settings).map_err(Error::Input)?;
            write_to(args.output.as_deref(), |out| {
                stage::write_report(members, args.jsonl, out)
            })?;
            Ok(0)
        }
    }
}

fn lines(args: LinesArgs) -> Result<i32, Error> {
    let settings = Settings::for_threshold(args.threshold);
    let corpus = read_corpus(&args.input)?;
    let rows = stage::lines(&corpus.documents);
    write(
        &args.output,
        Stage::Lines,
        &settings,
        &stage_arrow::lines_batch(&rows),
    )?;
    Ok(exit_code(!corpus.problems.is_empty()))
}

fn sign(args: SignArgs) -> Result<i32, Error> {
    let (settings, batches) =
        stage_arrow::read_parquet(&[args.boilerplate], Stage::Boilerplate, None)
            .map_err(Error::Input)?;
    let table = stage_arrow::table_of(&batches).map_err(Error::Input)?;
    let corpus = read_corpus(&args.input)?;
    let rows = stage::sign(&corpus.documents, &table, &settings);
    write(
        &args.output,
        Stage::Sign,
        &settings,
        &stage_arrow::signed_batch(&rows),
    )?;
    Ok(exit_code(!corpus.problems.is_empty()))
}

/// The rows of stage files made by `stage` (with `expected` settings,
/// when given), and the settings they were made with.
fn rows<T>(
    paths: &[PathBuf],
    stage: Stage,
    expected: Option<&Settings>,
    of: impl Fn(&RecordBatch) -> Result<Vec<T>, String>,
) -> Result<(Settings, Vec<T>), Error> {
    let (settings, batches) =
        stage_arrow::read_parquet(paths, stage, expected).map_err(Error::Input)?;
    let mut all = Vec::new();
    for batch in &batches {
        all.extend(of(batch).map_err(Error::Input)?);
    }
    Ok((settings, all))
}

fn signed(paths: &[PathBuf], settings: &Settings) -> Result<Vec<stage::SignedRow>, Error> {
    Ok(rows(paths, Stage::Sign, Some(settings), stage_arrow::signed_rows)?.1)
}

fn write(path: &Path, stage: Stage, settings: &Settings, batch: &RecordBatch) -> Result<(), Error> {
    stage_arrow::write_parquet(path, stage, settings, std::slice::from_ref(batch))
        .map_err(Error::Input)
}
