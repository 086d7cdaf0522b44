//! The `dedup` report: near-duplicate groups only, as TSV (one row per
//! document in a group), JSON or JSON lines; or the deduplicated corpus
//! itself as JSON lines.

use super::{GroupReport, group_id, score};
use crate::corpus::Document;
use crate::error::InputProblem;
use crate::pipeline::{DedupAnalysis, PairSearch};
use serde::Serialize;
use std::io::{self, Write};

/// Formats of the `dedup` report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DedupFormat {
    /// `doc_id<TAB>group<TAB>representative<TAB>jaccard`, one row per
    /// document in a group.
    Tsv,
    /// Everything, one JSON document.
    Json,
    /// One JSON object per document in a group.
    Jsonl,
}

/// Which member of a group `--emit unique` keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The first in input order.
    First,
    /// The longest text (then the first in input order).
    Longest,
    /// The earliest date (then the smallest id): the representative.
    Earliest,
}

crate::choice::choices!(DedupFormat {
    Tsv => "tsv", "doc_id<TAB>group<TAB>representative<TAB>jaccard, one row per document in a group";
    Json => "json", "Everything, one JSON document";
    Jsonl => "jsonl", "One JSON object per document in a group";
});

crate::choice::choices!(Keep {
    First => "first", "The first in input order";
    Longest => "longest", "The longest text (then the first in input order)";
    Earliest => "earliest", "The earliest date (then the smallest id): the representative";
});

/// Schema name and version of the JSON dedup report.
pub const SCHEMA: &str = "story-cluster/dedup/v1";

/// A dedup run, as reported.
#[derive(Clone, Debug, Serialize)]
pub struct DedupReport<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Counts.
    pub summary: DedupSummary,
    /// Settings used.
    pub settings: DedupSettings,
    /// Groups, by representative id.
    pub groups: Vec<GroupReport<'a>>,
    /// Inputs that were skipped.
    pub problems: Vec<InputProblem>,
}

/// Counts of a dedup run.
#[derive(Clone, Debug, Serialize)]
pub struct DedupSummary {
    /// Documents read.
    pub documents: usize,
    /// Near-duplicate groups.
    pub duplicate_groups: usize,
    /// Documents in a group.
    pub documents_in_groups: usize,
    /// Documents an `--emit unique` keeps.
    pub unique_documents: usize,
    /// Candidate pairs examined.
    pub candidate_pairs: usize,
    /// Pairs verified at or above the threshold.
    pub verified_pairs: usize,
    /// Body lines dropped as boilerplate.
    pub boilerplate_lines_dropped: usize,
    /// Inputs skipped as bad.
    pub input_problems: usize,
}

/// Settings of a dedup run.
#[derive(Clone, Debug, Serialize)]
pub struct DedupSettings {
    /// Jaccard threshold.
    pub threshold: f64,
    /// `lsh` or `exact`.
    pub search: &'static str,
    /// LSH bands, when LSH was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bands: Option<usize>,
    /// LSH rows per band, when LSH was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
}

/// One TSV / JSON lines row.
#[derive(Serialize)]
pub(crate) struct Row<'a> {
    pub doc_id: &'a str,
    pub group: &'a str,
    pub representative: &'a str,
    pub jaccard: f64,
}

impl<'a> DedupReport<'a> {
    /// Builds the report of a dedup analysis (borrowing the documents'
    /// ids and titles).
    pub fn new(analysis: &'a DedupAnalysis, problems: &[InputProblem]) -> DedupReport<'a> {
        let groups = GroupReport::all(&analysis.duplicates, &analysis.documents, |_| None);
        let in_groups: usize = groups.iter().map(|g| g.members.len()).sum();
        DedupReport {
            schema: SCHEMA,
            summary: DedupSummary {
                documents: analysis.documents.len(),
                duplicate_groups: groups.len(),
                documents_in_groups: in_groups,
                unique_documents: analysis.documents.len() - in_groups + groups.len(),
                candidate_pairs: analysis.duplicates.candidates,
                verified_pairs: analysis.duplicates.pairs.len(),
                boilerplate_lines_dropped: analysis.boilerplate_lines_dropped,
                input_problems: problems.len(),
            },
            settings: {
                let bands = (analysis.search == PairSearch::Lsh).then(|| analysis.options.bands());
                DedupSettings {
                    threshold: score(analysis.options.threshold),
                    search: match analysis.search {
                        PairSearch::Lsh => "lsh",
                        PairSearch::Exact => "exact",
                    },
                    bands: bands.map(|b| b.bands),
                    rows: bands.map(|b| b.rows),
                }
            },
            groups,
            problems: problems.to_vec(),
        }
    }
}

impl DedupReport<'_> {
    /// Writes the report as `serde_json::to_writer_pretty` would, its
    /// groups serialised in parallel (see [`super::json`]).
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        // Every field of `DedupReport`, in its order (a test checks the
        // bytes against serde_json's).
        let mut object = super::json::PrettyObject::begin(out)?;
        object.field("schema", &self.schema)?;
        object.field("summary", &self.summary)?;
        object.field("settings", &self.settings)?;
        object.array("groups", &self.groups)?;
        object.array("problems", &self.problems)?;
        object.end()
    }
}

/// Writes the groups of a `dedup` analysis in `format`: the JSON report
/// (see [`DedupReport`]), or one row per document in a group, written
/// straight from the analysis, without holding a whole report.
pub fn write_groups(
    analysis: &DedupAnalysis,
    problems: &[InputProblem],
    format: DedupFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    let format = match format {
        DedupFormat::Json => {
            DedupReport::new(analysis, problems).write_json(out)?;
            return writeln!(out);
        }
        DedupFormat::Jsonl => RowFormat::Jsonl,
        DedupFormat::Tsv => RowFormat::Tsv,
    };
    let docs = &analysis.documents;
    let groups = &analysis.duplicates.groups;
    let ids: Vec<String> = (0..groups.len()).map(group_id).collect();
    let rows = groups.iter().zip(&ids).flat_map(|(group, id)| {
        let representative = docs[group.representative as usize].id.as_str();
        group.members.iter().map(move |&(doc, jaccard)| Row {
            doc_id: &docs[doc as usize].id,
            group: id,
            representative,
            jaccard: score(jaccard),
        })
    });
    write_rows(rows, format, out)
}

/// The formats that hold one row per document in a group, which a report
/// made by parts (see [`crate::stage`]) can write too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RowFormat {
    Tsv,
    Jsonl,
}

/// Writes the rows of a `dedup` report, one per document in a group.
pub(crate) fn write_rows<'a>(
    rows: impl Iterator<Item = Row<'a>>,
    format: RowFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == RowFormat::Tsv {
        writeln!(out, "doc_id\tgroup\trepresentative\tjaccard")?;
    }
    for row in rows {
        match format {
            RowFormat::Jsonl => serde_json::to_writer(&mut *out, &row)?,
            RowFormat::Tsv => write!(
                out,
                "{}\t{}\t{}\t{:.4}",
                super::tsv_field(row.doc_id),
                row.group,
                super::tsv_field(row.representative),
                row.jaccard
            )?,
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The documents a deduplicated corpus keeps: every document outside a
/// group, and one per group chosen by `keep`; in input order.
pub fn unique_documents(analysis: &DedupAnalysis, keep: Keep) -> Vec<&Document> {
    let docs = &analysis.documents;
    let mut dropped = vec![false; docs.len()];
    for group in &analysis.duplicates.groups {
        // The member with the smallest key, for the policies that need one.
        let least = |key: &dyn Fn(&Document) -> (usize, usize)| {
            group
                .members
                .iter()
                .map(|m| m.0)
                .min_by_key(|&d| key(&docs[d as usize]))
                .expect("group has members")
        };
        let kept = match keep {
            Keep::Earliest => group.representative,
            Keep::First => least(&|doc| (doc.position, 0)),
            Keep::Longest => least(&|doc| {
                (
                    usize::MAX - (doc.title.len() + doc.body.len()),
                    doc.position,
                )
            }),
        };
        for &(d, _) in &group.members {
            dropped[d as usize] = d != kept;
        }
    }
    let mut kept: Vec<&Document> = docs
        .iter()
        .zip(&dropped)
        .filter(|(_, dropped)| !**dropped)
        .map(|(doc, _)| doc)
        .collect();
    kept.sort_by_key(|d| d.position);
    kept
}

/// Writes documents as JSON lines in the input schema (`id`, `title`,
/// `text`, `date`, `url`, `source`), ready to read again or publish.
pub fn write_documents(docs: &[&Document], out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        id: &'a str,
        title: &'a str,
        text: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        date: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        source: Option<&'a str>,
    }
    for doc in docs {
        let line = Line {
            id: &doc.id,
            title: &doc.title,
            text: &doc.body,
            date: doc.date.as_deref(),
            url: doc.url.as_deref(),
            source: doc.source.as_deref(),
        };
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Config, deduplicate};

    #[test]
    fn the_json_report_is_serde_jsons_pretty_form() {
        let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let paths = [fixtures.join("seeds"), fixtures.join("variants")];
        let corpus = crate::corpus::read_paths(&paths, &Default::default());
        let analysis = deduplicate(corpus.documents, &Config::default(), PairSearch::Lsh);
        assert!(!analysis.duplicates.groups.is_empty());
        let report = DedupReport::new(&analysis, &[]);
        let mut written = Vec::new();
        write_groups(&analysis, &[], DedupFormat::Json, &mut written).unwrap();
        let expected = serde_json::to_string_pretty(&report).unwrap() + "\n";
        assert_eq!(String::from_utf8(written).unwrap(), expected);
    }
}
