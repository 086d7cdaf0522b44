//! `story-cluster eval`: run the pipeline and score its stories against
//! gold labels.

use super::common::{InputArgs, TuningArgs, read_and_analyse};
use super::output::write_to;
use clap::{Args as ClapArgs, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use story_cluster::error::{Error, exit_code};
use story_cluster::eval::{Scores, parse_labels, score};
use story_cluster::report::Report;
use story_cluster::story::baselines::{self, Baseline};

/// Score the stories of a set of articles against gold labels.
///
/// LABELS is a TSV file of doc_id<TAB>story lines (a doc_id<TAB>… header is
/// optional). Documents without a label are left out of the scores and
/// counted; labelled documents missing from the input are reported.
///
/// --clusterer scores, instead of the stories, a baseline on the same
/// vectors: linfa's DBSCAN (neighbours at the story threshold in force or
/// above, two points a core) or k-means (--clusters K), for labelled sets
/// of up to 3,000 documents.
#[derive(Debug, ClapArgs)]
#[command(after_help = "Exit codes: 0 success, 1 bad input (reported on stderr), 2 usage error.")]
pub struct Args {
    /// Gold labels: doc_id<TAB>story per line.
    #[arg(long, value_name = "LABELS.tsv")]
    labels: PathBuf,

    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    tuning: TuningArgs,

    /// What is scored: the stories, or a baseline clusterer.
    #[arg(long, value_enum, default_value = "stories")]
    clusterer: Clusterer,

    /// Which level of the pipeline's result is scored against the labels:
    /// stories (events) or threads (stories of one subject).
    #[arg(long, value_enum, default_value = "story")]
    level: Level,

    /// Clusters for --clusterer kmeans.
    #[arg(long, value_name = "K", required_if_eq("clusterer", "kmeans"), value_parser = clap::value_parser!(u32).range(1..))]
    clusters: Option<u32>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: EvalFormat,

    /// Write the scores to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Formats of `eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum EvalFormat {
    /// Readable in a terminal.
    Text,
    /// One JSON object.
    Json,
}

/// What `eval` scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
enum Clusterer {
    /// The pipeline's stories (average linkage, relative cut).
    Stories,
    /// linfa DBSCAN on the same vectors.
    Dbscan,
    /// linfa k-means on the same vectors.
    Kmeans,
}

/// The level `eval` scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    /// Stories: one event each.
    Story,
    /// Threads: stories of one developing subject.
    Thread,
}

#[derive(Serialize)]
struct Evaluation {
    clusterer: Clusterer,
    level: Level,
    scores: Scores,
    story_threshold: f64,
    dup_threshold: f64,
    unlabelled_documents: usize,
    missing_documents: Vec<String>,
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    let text = std::fs::read_to_string(&args.labels).map_err(|err| {
        Error::Input(format!(
            "{}: cannot read labels: {err}",
            args.labels.display()
        ))
    })?;
    let (labels, label_problems) = parse_labels(&text);
    for (line, message) in &label_problems {
        story_cluster::error::note(format_args!(
            "story-cluster: error: {}:{line}: {message}",
            args.labels.display()
        ));
    }
    if labels.is_empty() {
        return Err(Error::Input(format!(
            "{}: no labels",
            args.labels.display()
        )));
    }
    let (analysis, problems) = read_and_analyse(&args.input, &args.tuning)?;
    let report = Report::new(&analysis, &problems);
    // The cluster of each document, in the report's order, which is the
    // analysis's (by id).
    let baseline = match args.clusterer {
        Clusterer::Stories => None,
        Clusterer::Dbscan => Some(Baseline::Dbscan {
            min_cosine: analysis.config.stories.threshold,
        }),
        Clusterer::Kmeans => Some(Baseline::KMeans {
            k: args.clusters.unwrap_or(1) as usize,
        }),
    };
    if baseline.is_some() && args.level == Level::Thread {
        return Err(Error::Usage(
            "--level thread scores the pipeline's threads; baselines have none".into(),
        ));
    }
    let clusters: Vec<String> = match baseline {
        None => report
            .documents
            .iter()
            .map(|d| match args.level {
                Level::Story => d.story.clone(),
                Level::Thread => d.thread.clone(),
            })
            .collect(),
        Some(baseline) => baselines::assign(&analysis.vectors.vectors, baseline)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--clusterer handles at most {} documents; the input has {}",
                    baselines::MAX_DOCUMENTS,
                    analysis.documents.len()
                ))
            })?
            .into_iter()
            .map(|c| format!("C{c}"))
            .collect(),
    };
    let (mut predicted, mut gold) = (Vec::new(), Vec::new());
    let mut unlabelled = 0;
    for (doc, cluster) in report.documents.iter().zip(&clusters) {
        match labels.get(doc.id) {
            Some(story) => {
                predicted.push(cluster.as_str());
                gold.push(story.as_str());
            }
            None => unlabelled += 1,
        }
    }
    let present: std::collections::HashSet<&str> = report.documents.iter().map(|d| d.id).collect();
    let mut missing: Vec<String> = labels
        .keys()
        .filter(|id| !present.contains(id.as_str()))
        .cloned()
        .collect();
    missing.sort();
    let evaluation = Evaluation {
        clusterer: args.clusterer,
        level: args.level,
        scores: score(&predicted, &gold),
        story_threshold: report.settings.story_threshold,
        dup_threshold: report.settings.dup_threshold,
        unlabelled_documents: unlabelled,
        missing_documents: missing,
    };
    write_to(args.output.as_deref(), |out| match args.format {
        EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &evaluation)?;
            writeln!(out)
        }
        EvalFormat::Text => write_text(&evaluation, out),
    })?;
    Ok(exit_code(
        !problems.is_empty() || !label_problems.is_empty(),
    ))
}

fn write_text(e: &Evaluation, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &e.scores;
    let scored = match (e.clusterer, e.level) {
        (Clusterer::Stories, Level::Story) => "predicted stories",
        (Clusterer::Stories, Level::Thread) => "predicted threads",
        (Clusterer::Dbscan, _) => "DBSCAN clusters",
        (Clusterer::Kmeans, _) => "k-means clusters",
    };
    writeln!(
        out,
        "{} documents scored · {} gold stories · {} {scored} (story threshold {})",
        s.documents, s.gold_stories, s.predicted_stories, e.story_threshold
    )?;
    writeln!(out, "             precision  recall     F1")?;
    writeln!(
        out,
        "B-cubed      {:.4}     {:.4}     {:.4}",
        s.bcubed_precision, s.bcubed_recall, s.bcubed_f1
    )?;
    writeln!(
        out,
        "pairwise     {:.4}     {:.4}     {:.4}",
        s.pairwise_precision, s.pairwise_recall, s.pairwise_f1
    )?;
    writeln!(out, "adjusted Rand index  {:.4}", s.adjusted_rand_index)?;
    writeln!(out, "NMI                  {:.4}", s.nmi)?;
    if e.unlabelled_documents > 0 {
        writeln!(
            out,
            "{} documents have no label and were left out",
            e.unlabelled_documents
        )?;
    }
    if !e.missing_documents.is_empty() {
        let shown: Vec<&str> = e
            .missing_documents
            .iter()
            .take(10)
            .map(String::as_str)
            .collect();
        let more = e.missing_documents.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} labelled documents are missing from the input: {}{more}",
            e.missing_documents.len(),
            shown.join(", ")
        )?;
    }
    Ok(())
}
