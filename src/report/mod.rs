//! Reports: one serialisable model of a run ([`Report`]), rendered as
//! text, JSON, JSON lines or TSV. The JSON form is the model itself; its
//! schema is documented in `docs/report-schema.md`.

pub mod dedup;
pub(crate) mod html;
mod json;
mod text;

use crate::corpus::Origin;
use crate::error::InputProblem;
use crate::pipeline::Analysis;
use crate::story::Story;
use rayon::prelude::*;
use serde::Serialize;
use std::io::{self, Write};

/// Output formats of `run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Readable in a terminal.
    Text,
    /// Everything, one JSON document.
    Json,
    /// One JSON object per document.
    Jsonl,
    /// `doc_id<TAB>story<TAB>duplicate_group<TAB>thread`, one row per document.
    Tsv,
    /// One self-contained page to open in a browser.
    Html,
}

crate::choice::choices!(Format {
    Text => "text", "Readable in a terminal";
    Json => "json", "Everything, one JSON document";
    Jsonl => "jsonl", "One JSON object per document";
    Tsv => "tsv", "doc_id<TAB>story<TAB>duplicate_group<TAB>thread, one row per document";
    Html => "html", "One self-contained page to open in a browser";
});

/// Schema name and version of the JSON report.
pub const SCHEMA: &str = "story-cluster/report/v1";

/// A run, as reported.
#[derive(Clone, Debug, Serialize)]
pub struct Report<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Counts.
    pub summary: Summary,
    /// The settings used.
    pub settings: Settings,
    /// Stories, largest first.
    pub stories: Vec<StoryReport<'a>>,
    /// Threads of stories, most documents first.
    pub threads: Vec<ThreadReport<'a>>,
    /// Near-duplicate groups, by representative id.
    pub duplicate_groups: Vec<GroupReport<'a>>,
    /// Every document, by id.
    pub documents: Vec<DocumentReport<'a>>,
    /// Inputs that were skipped.
    pub problems: Vec<InputProblem>,
}

/// Counts of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Documents read.
    pub documents: usize,
    /// Stories, single-document ones included.
    pub stories: usize,
    /// Stories with at least two documents.
    pub multi_document_stories: usize,
    /// Threads, single-story ones included.
    pub threads: usize,
    /// Threads with at least two stories.
    pub multi_story_threads: usize,
    /// Near-duplicate groups.
    pub duplicate_groups: usize,
    /// Documents that belong to a near-duplicate group.
    pub documents_in_duplicate_groups: usize,
    /// Candidate pairs LSH proposed.
    pub candidate_pairs: usize,
    /// Candidate pairs verified at or above the threshold.
    pub verified_pairs: usize,
    /// Body lines dropped as boilerplate.
    pub boilerplate_lines_dropped: usize,
    /// Inputs skipped as bad.
    pub input_problems: usize,
}

/// Settings of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    /// Near-duplicate Jaccard threshold.
    pub dup_threshold: f64,
    /// Mean cosine at which clusters always join one story (average
    /// linkage); below half of it they never do. The threshold in force,
    /// scaled to the corpus (see `StoryOptions::scaled_to`).
    pub story_threshold: f64,
    /// Between the two, the share of each cluster's own mean inner cosine
    /// that the mean cosine between them must reach.
    pub split_ratio: f64,
    /// Days between two dated documents at which their similarity has
    /// fallen halfway to `time_floor` of itself.
    pub time_scale_days: f64,
    /// Share of their similarity left to two dated documents however far
    /// apart (1: time not used).
    pub time_floor: f64,
    /// Mean cosine between story centroids at which stories always join
    /// one thread; below half of it they never do.
    pub thread_threshold: f64,
    /// Shingle length in code points.
    pub shingle_chars: usize,
    /// MinHash signature length.
    pub num_hashes: usize,
    /// LSH bands.
    pub bands: usize,
    /// LSH rows per band.
    pub rows: usize,
}

/// A story (or sub-story).
#[derive(Clone, Debug, Serialize)]
pub struct StoryReport<'a> {
    /// `S1`, `S2`, … for stories; `S1.1`, … for sub-stories.
    pub id: String,
    /// Title of the medoid.
    pub headline: &'a str,
    /// Id of the medoid.
    pub headline_id: &'a str,
    /// Heaviest centroid terms, each as most often written (normalised).
    pub label: &'a [String],
    /// Number of members.
    pub size: usize,
    /// Mean member similarity to the centroid.
    pub cohesion: f64,
    /// The thread the story belongs to (stories only, not sub-stories).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// Members, most central first.
    pub members: Vec<StoryMember<'a>>,
    /// Tighter groups inside the story.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub substories: Vec<StoryReport<'a>>,
}

/// A thread: stories of one developing subject.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadReport<'a> {
    /// `T1`, `T2`, …
    pub id: String,
    /// Heaviest terms of the thread's centroid.
    pub label: &'a [String],
    /// Documents in its stories.
    pub size: usize,
    /// Its stories, largest first.
    pub stories: Vec<String>,
}

/// A member of a story.
#[derive(Clone, Debug, Serialize)]
pub struct StoryMember<'a> {
    /// Document id.
    pub id: &'a str,
    /// Document title.
    pub title: &'a str,
    /// Cosine similarity to the story centroid.
    pub similarity: f64,
    /// The member's near-duplicate group, if any.
    pub duplicate_group: Option<String>,
}

/// A near-duplicate group.
#[derive(Clone, Debug, Serialize)]
pub struct GroupReport<'a> {
    /// `D1`, `D2`, …
    pub id: String,
    /// Id of the representative (earliest date, then smallest id).
    pub representative: &'a str,
    /// The story the group belongs to (not in `dedup` reports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    /// Members in id order, each with its Jaccard to the representative.
    pub members: Vec<GroupMember<'a>>,
}

impl<'a> GroupReport<'a> {
    /// The reports of every group, ids `D1`, `D2`, … in group order.
    pub fn all(
        duplicates: &crate::dedup::Duplicates,
        docs: &'a [crate::corpus::Document],
        story: impl Fn(&crate::dedup::DuplicateGroup) -> Option<String> + Sync,
    ) -> Vec<GroupReport<'a>> {
        duplicates
            .groups
            .par_iter()
            .enumerate()
            .map(|(g, group)| GroupReport {
                id: group_id(g),
                representative: &docs[group.representative as usize].id,
                story: story(group),
                members: group
                    .members
                    .iter()
                    .map(|&(d, j)| GroupMember {
                        id: &docs[d as usize].id,
                        title: docs[d as usize].headline(),
                        jaccard: score(j),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// A member of a near-duplicate group.
#[derive(Clone, Debug, Serialize)]
pub struct GroupMember<'a> {
    /// Document id.
    pub id: &'a str,
    /// Document title.
    pub title: &'a str,
    /// Exact Jaccard similarity of shingle sets to the representative.
    pub jaccard: f64,
}

/// One document's place in the result.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentReport<'a> {
    /// Document id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Where it was read from (`path`, `path:line` or `path[item]`).
    pub origin: &'a Origin,
    /// Date as given, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<&'a str>,
    /// Its story.
    pub story: String,
    /// Its story's thread.
    pub thread: String,
    /// Cosine similarity to the story centroid.
    pub story_similarity: f64,
    /// Its near-duplicate group, if any.
    pub duplicate_group: Option<String>,
    /// Jaccard to the group's representative, if in a group.
    pub jaccard: Option<f64>,
}

/// The report id of near-duplicate group `g` (0-based): `D1`, `D2`, …
pub fn group_id(g: usize) -> String {
    format!("D{}", g + 1)
}

/// The report id of story `s` (0-based, largest first): `S1`, `S2`, …
pub fn story_id(s: usize) -> String {
    format!("S{}", s + 1)
}

/// The report id of thread `t` (0-based, most documents first): `T1`, …
pub fn thread_id(t: usize) -> String {
    format!("T{}", t + 1)
}

/// The report id of sub-story `i` (0-based) of the story `parent`: `S1.1`, …
pub fn substory_id(parent: &str, i: usize) -> String {
    format!("{parent}.{}", i + 1)
}

/// Rounds a score for output: four decimals are what a reader can use, and
/// fixed rounding keeps output identical across runs.
pub(crate) fn score(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl<'a> Report<'a> {
    /// Builds the report of an analysis; it borrows the documents' ids,
    /// titles, origins and dates (a million documents' copies took 0.4 GB).
    pub fn new(analysis: &'a Analysis, problems: &[InputProblem]) -> Report<'a> {
        let docs = &analysis.documents;
        let n = docs.len();
        let group_of = analysis.duplicates.group_of(n);
        let mut story_of = vec![0usize; n];
        let mut similarity_of = vec![0f64; n];
        for (s, story) in analysis.stories.iter().enumerate() {
            for m in &story.members {
                story_of[m.doc as usize] = s;
                similarity_of[m.doc as usize] = score(m.similarity as f64);
            }
        }
        let member = |m: &crate::story::Member| StoryMember {
            id: &docs[m.doc as usize].id,
            title: docs[m.doc as usize].headline(),
            similarity: score(m.similarity as f64),
            duplicate_group: group_of[m.doc as usize].map(group_id),
        };
        fn story_report<'a>(
            id: String,
            story: &'a Story,
            docs: &'a [crate::corpus::Document],
            member: &(dyn Fn(&crate::story::Member) -> StoryMember<'a> + Sync),
        ) -> StoryReport<'a> {
            StoryReport {
                headline: docs[story.medoid as usize].headline(),
                headline_id: &docs[story.medoid as usize].id,
                label: &story.label,
                size: story.members.len(),
                cohesion: score(story.cohesion as f64),
                thread: None,
                members: story.members.iter().map(member).collect(),
                substories: story
                    .substories
                    .iter()
                    .enumerate()
                    .map(|(i, sub)| story_report(substory_id(&id, i), sub, docs, member))
                    .collect(),
                id,
            }
        }
        let thread_of =
            crate::story::thread::thread_of_story(&analysis.threads, analysis.stories.len());
        // The model is made in parallel (in corpus order, as a serial pass
        // would): at a million documents, making it serially took seconds.
        let stories: Vec<StoryReport> = analysis
            .stories
            .par_iter()
            .enumerate()
            .map(|(s, story)| StoryReport {
                thread: Some(thread_id(thread_of[s] as usize)),
                ..story_report(story_id(s), story, docs, &member)
            })
            .collect();
        let threads: Vec<ThreadReport> = analysis
            .threads
            .par_iter()
            .enumerate()
            .map(|(t, thread)| ThreadReport {
                id: thread_id(t),
                label: &thread.label,
                size: thread.documents(&analysis.stories),
                stories: thread
                    .stories
                    .iter()
                    .map(|&s| story_id(s as usize))
                    .collect(),
            })
            .collect();
        let duplicate_groups = GroupReport::all(&analysis.duplicates, docs, |g| {
            Some(story_id(story_of[g.representative as usize]))
        });
        let mut jaccard_of = vec![None; n];
        for group in &analysis.duplicates.groups {
            for &(d, j) in &group.members {
                jaccard_of[d as usize] = Some(score(j));
            }
        }
        let documents = docs
            .par_iter()
            .enumerate()
            .map(|(i, doc)| DocumentReport {
                id: &doc.id,
                title: doc.headline(),
                origin: &doc.origin,
                date: doc.date.as_deref(),
                story: story_id(story_of[i]),
                thread: thread_id(thread_of[story_of[i]] as usize),
                story_similarity: similarity_of[i],
                duplicate_group: group_of[i].map(group_id),
                jaccard: jaccard_of[i],
            })
            .collect();
        let config = &analysis.config;
        Report {
            schema: SCHEMA,
            summary: Summary {
                documents: n,
                stories: analysis.stories.len(),
                multi_document_stories: analysis
                    .stories
                    .iter()
                    .filter(|s| s.members.len() > 1)
                    .count(),
                threads: analysis.threads.len(),
                multi_story_threads: analysis
                    .threads
                    .iter()
                    .filter(|t| t.stories.len() > 1)
                    .count(),
                duplicate_groups: analysis.duplicates.groups.len(),
                documents_in_duplicate_groups: group_of.iter().filter(|g| g.is_some()).count(),
                candidate_pairs: analysis.duplicates.candidates,
                verified_pairs: analysis.duplicates.pairs.len(),
                boilerplate_lines_dropped: analysis.boilerplate_lines_dropped,
                input_problems: problems.len(),
            },
            settings: Settings {
                dup_threshold: config.dedup.threshold,
                story_threshold: score(config.stories.threshold as f64),
                split_ratio: score(config.stories.split_ratio as f64),
                time_scale_days: score(config.stories.time.scale_days as f64),
                time_floor: score(config.stories.time.floor as f64),
                thread_threshold: score(config.stories.threads.threshold as f64),
                shingle_chars: config.dedup.shingle_chars,
                num_hashes: config.dedup.num_hashes,
                bands: config.dedup.bands().bands,
                rows: config.dedup.bands().rows,
            },
            stories,
            threads,
            duplicate_groups,
            documents,
            problems: problems.to_vec(),
        }
    }

    /// Writes the report of `analysis` (the one it was made from) in
    /// `format`. `top` limits what the text report lists (the largest
    /// stories, threads and groups; `None` lists all); other formats hold
    /// everything.
    pub fn write(
        &self,
        format: Format,
        analysis: &Analysis,
        top: Option<usize>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match format {
            Format::Text => text::write(self, top, out),
            Format::Html => html::write(self, analysis, out),
            Format::Json => {
                self.write_json(out)?;
                writeln!(out)
            }
            Format::Jsonl => json::write_lines(&self.documents, out),
            Format::Tsv => write_tsv(
                out,
                self.documents.iter().map(|doc| {
                    [
                        doc.id,
                        &doc.story,
                        doc.duplicate_group.as_deref().unwrap_or(""),
                        &doc.thread,
                    ]
                }),
            ),
        }
    }
}

impl Report<'_> {
    /// Writes the JSON report, as `serde_json::to_writer_pretty` would,
    /// with the long lists serialised in parallel (see [`json`]).
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        // Every field of `Report`, in its order (a test checks the bytes
        // against serde_json's).
        let mut object = json::PrettyObject::begin(out)?;
        object.field("schema", &self.schema)?;
        object.field("summary", &self.summary)?;
        object.field("settings", &self.settings)?;
        object.array("stories", &self.stories)?;
        object.array("threads", &self.threads)?;
        object.array("duplicate_groups", &self.duplicate_groups)?;
        object.array("documents", &self.documents)?;
        object.array("problems", &self.problems)?;
        object.end()
    }
}

/// The story TSV: `doc_id<TAB>story<TAB>duplicate_group<TAB>thread`, a
/// header then one row per document (an empty field for none); what `run
/// -f tsv` and `index stories -f tsv` print.
pub fn write_tsv<'a>(
    out: &mut dyn Write,
    rows: impl Iterator<Item = [&'a str; 4]>,
) -> io::Result<()> {
    writeln!(out, "doc_id\tstory\tduplicate_group\tthread")?;
    for [id, story, group, thread] in rows {
        writeln!(out, "{}\t{story}\t{group}\t{thread}", tsv_field(id))?;
    }
    Ok(())
}

/// A TSV field: ids may hold tabs or newlines only by accident; keep rows
/// intact (as spaces), and escape other control characters as
/// [`printable`] does.
pub fn tsv_field(s: &str) -> String {
    printable(&s.replace(['\t', '\n', '\r'], " ")).into_owned()
}

/// Text safe to print on a terminal: control characters (ESC starts the
/// sequences that move the cursor or retitle the window; CR, NUL, DEL and
/// the C1 range) are written as `\u{1b}`-style escapes, everything else
/// as it is.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_report_is_serde_jsons_pretty_form() {
        let seeds = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
        let corpus = crate::corpus::read_paths(&[seeds], &Default::default());
        let analysis = crate::pipeline::analyse(corpus.documents, &Default::default());
        let problem = InputProblem::line("feed.jsonl", 3, "missing field `id`; skipped");
        for problems in [Vec::new(), vec![problem]] {
            let report = Report::new(&analysis, &problems);
            let mut written = Vec::new();
            report
                .write(Format::Json, &analysis, None, &mut written)
                .unwrap();
            let expected = serde_json::to_string_pretty(&report).unwrap() + "\n";
            assert_eq!(String::from_utf8(written).unwrap(), expected);
        }
    }
}
