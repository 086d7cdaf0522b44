//! Options shared by the subcommands that read articles and analyse them,
//! and the one way they read and analyse.

use crate::cli::unit_interval;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;
use story_cluster::corpus::{self, Corpus, ReadOptions};
use story_cluster::error::{Error, InputProblem};
use story_cluster::progress::{Progress, Timings, Usage, When};
use story_cluster::{Analysis, Config, analyse, dedup, story};

/// An `f32` default as an `f64` that prints as it is written in the code
/// (`0.28`, not `0.2800000011920929`, in `--help`).
fn as_written(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(value as f64)
}

/// Where the articles come from and how strictly they are read.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Folders, files, or - for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Stop at the first bad input instead of skipping it.
    #[arg(long)]
    pub strict: bool,

    /// Largest document accepted, in bytes (a text file, a JSON line).
    #[arg(long, value_name = "BYTES", default_value_t = ReadOptions::default().max_document_bytes, value_parser = crate::cli::document_bytes)]
    pub max_document_bytes: u64,

    /// Print no notes about skipped files, and no progress bars.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Progress bars on stderr for reading, signing and clustering: drawn
    /// only when stderr is a terminal; `auto` draws them for large inputs.
    #[arg(long, value_parser = crate::cli::choice::<When>(), value_name = "WHEN", default_value = "auto")]
    pub progress: When,

    /// Print each stage's wall-clock time on stderr at the end (reading,
    /// preparing, signing, candidates, verifying, vectors, stories,
    /// threads, the report), with the CPU and system time, minor page
    /// faults and peak memory where the system tells them.
    #[arg(long)]
    pub timings: bool,

    /// Where stage times are recorded, shared by every stage of the run.
    #[arg(skip = Timings::recording())]
    pub recorded: Timings,
}

impl InputArgs {
    /// Where long stages report their progress (and their times, with
    /// `--timings`).
    pub fn progress(&self) -> Progress {
        Progress::on_terminal(self.progress, self.quiet).timed(self.timings())
    }

    /// Where stage times go: recorded with `--timings`, else nowhere.
    pub fn timings(&self) -> Timings {
        match self.timings {
            true => self.recorded.clone(),
            false => Timings::default(),
        }
    }

    /// Prints the recorded stage times, with `--timings`.
    pub fn print_timings(&self) {
        if !self.timings {
            return;
        }
        let spent = self.recorded.spent();
        let line = |stage: &str, wall: Duration, usage: Option<Usage>, peak: Option<u64>| {
            let mut extra = Vec::new();
            if let Some(usage) = usage {
                extra.push(format!(
                    "cpu {:.2} s, sys {:.2} s, {} k faults",
                    usage.cpu.as_secs_f64(),
                    usage.system.as_secs_f64(),
                    usage.minor_faults / 1000
                ));
            }
            if let Some(peak) = peak {
                extra.push(format!("peak {:.3} GB", peak as f64 / 1e9));
            }
            let extra = match extra.is_empty() {
                true => String::new(),
                false => format!("  ({})", extra.join(", ")),
            };
            story_cluster::error::note(format_args!(
                "story-cluster: time: {stage:<18} {:>8.3} s{extra}",
                wall.as_secs_f64()
            ));
        };
        for (stage, took) in &spent {
            line(stage, took.wall, took.usage, took.peak_bytes);
        }
        let wall = spent.iter().map(|(_, t)| t.wall).sum();
        let usage = spent.iter().map(|(_, t)| t.usage).sum();
        let peak = spent.iter().filter_map(|(_, t)| t.peak_bytes).max();
        line("all stages", wall, usage, peak);
    }
}

/// The settings of the analysis.
#[derive(Debug, Args)]
pub struct TuningArgs {
    /// Exact Jaccard similarity of character shingles at which two
    /// documents are near-duplicates.
    #[arg(long, value_name = "J", default_value_t = dedup::DEFAULT_THRESHOLD, value_parser = unit_interval)]
    pub dup_threshold: f64,

    /// Mean cosine similarity at which two clusters always join one story
    /// (below half of it, never), for a corpus of 800 documents whose
    /// median document has 64 distinct terms or more; shorter documents
    /// scale it down, and corpus size by √(ln n / ln 800), n the documents
    /// that are not near-duplicate copies (reports show the
    /// threshold in force). Lower gives broader stories.
    #[arg(long, value_name = "S", default_value_t = as_written(story::DEFAULT_THRESHOLD), value_parser = unit_interval)]
    pub story_threshold: f64,

    /// Between half the story threshold and the threshold, two clusters
    /// stay apart when the mean cosine between them is below this share of
    /// each one's own mean inner cosine. Higher splits more; near 0, clusters
    /// join all the way down to half the threshold.
    #[arg(long, value_name = "R", default_value_t = as_written(story::DEFAULT_SPLIT_RATIO), value_parser = unit_interval)]
    pub split_ratio: f64,

    /// Days between two dated documents at which their similarity has
    /// fallen halfway from its full value to the --time-floor share: look-
    /// alike events days apart stay apart. Documents without a readable
    /// date are compared without it.
    #[arg(long, value_name = "DAYS", default_value_t = as_written(story::time::DEFAULT_SCALE_DAYS), value_parser = positive_days)]
    pub time_scale: f64,

    /// Share of their similarity left to two dated documents however far
    /// apart; 1 turns time off.
    #[arg(long, value_name = "F", default_value_t = as_written(story::time::DEFAULT_FLOOR), value_parser = unit_interval)]
    pub time_floor: f64,

    /// Mean cosine between story centroids (under a week-scale time
    /// decay, far wider than stories') at which stories always join one
    /// thread, a developing subject; below half of it they never do.
    /// Scaled to the corpus like the story threshold, and more steeply to
    /// short documents.
    #[arg(long, value_name = "T", default_value_t = as_written(story::thread::DEFAULT_THRESHOLD), value_parser = unit_interval)]
    pub thread_threshold: f64,
}

/// A number of days above zero.
fn positive_days(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(days) if days > 0.0 && days.is_finite() => Ok(days),
        _ => Err(format!("'{value}' is not a number of days above 0")),
    }
}

impl TuningArgs {
    /// The pipeline configuration these options ask for.
    pub fn config(&self) -> Config {
        let mut config = Config::default();
        config.dedup.threshold = self.dup_threshold;
        config.stories = story::StoryOptions::with_threshold(self.story_threshold as f32);
        config.stories.split_ratio = self.split_ratio as f32;
        config.stories.time = story::TimeDecay {
            scale_days: self.time_scale as f32,
            floor: self.time_floor as f32,
        };
        config.stories.threads.threshold = self.thread_threshold as f32;
        config
    }
}

/// Reads the inputs (reporting problems and notes on stderr) and analyses
/// them. Returns the analysis and the input problems.
pub fn read_and_analyse(
    input: &InputArgs,
    tuning: &TuningArgs,
) -> Result<(Analysis, Vec<InputProblem>), Error> {
    let corpus = read_corpus(input)?;
    let mut config = tuning.config();
    config.progress = input.progress();
    let analysis = analyse(corpus.documents, &config);
    Ok((analysis, corpus.problems))
}

/// Reads the inputs, reporting problems and notes on stderr; fails when
/// `--strict` meets a bad input or when no document is left.
pub fn read_corpus(input: &InputArgs) -> Result<Corpus, Error> {
    let read = ReadOptions {
        max_document_bytes: input.max_document_bytes,
        progress: input.progress(),
    };
    let corpus = read
        .progress
        .timings()
        .time("read", || corpus::read_paths(&input.paths, &read));
    if !input.quiet {
        for note in &corpus.notes {
            story_cluster::error::note(format_args!("story-cluster: note: {note}"));
        }
    }
    for problem in &corpus.problems {
        story_cluster::error::note(format_args!("story-cluster: error: {problem}"));
    }
    if input.strict && !corpus.problems.is_empty() {
        return Err(Error::Input(format!(
            "{} bad input(s); stopping because of --strict",
            corpus.problems.len()
        )));
    }
    if corpus.documents.is_empty() {
        return Err(Error::Input("no documents to analyse".into()));
    }
    Ok(corpus)
}
