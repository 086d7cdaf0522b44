//! Near-duplicate detection cut into stages with a file boundary between
//! them, so that a cluster engine (Spark, Dask, Ray) can run each stage on
//! parts of a corpus and do the shuffles in between, and still find exactly
//! the groups one `dedup` run finds.
//!
//! One `dedup` run makes two findings over the whole corpus before it signs
//! anything (the boilerplate lines, and the site names ending titles), then
//! signs, buckets, verifies and groups. By stages:
//!
//! 1. [`lines`], per document: its line hashes, the (tail, head) hashes of
//!    its title, and its body's signature (what the greedy "different
//!    articles" test of [`crate::text::boilerplate`] compares);
//! 2. [`boilerplate()`], over every document's lines (or, on a cluster, per
//!    line with [`is_boilerplate_line`] and per tail with
//!    [`SITE_TAIL_MIN_HEADS`]): the boilerplate table;
//! 3. [`sign`], per document, with that table: its prepared text and its
//!    LSH band keys;
//! 4. candidate pairs per band bucket, [`bucket_pairs`], exactly as the
//!    single-machine LSH forms them (a star and a chain in big buckets);
//! 5. [`verify`]: the exact Jaccard similarity of each candidate pair;
//! 6. [`group`]: connected components, the representative (earliest date,
//!    then smallest id) and each member's similarity to it, as one run
//!    groups, and the rows of the `dedup` report ([`write_report`]).
//!
//! Documents are named by id throughout (ids order the corpus, as they do
//! in one run), so parts may be made and read in any order. Every stage's
//! file carries the [`Settings`] it was made with, and a stage refuses
//! input made with others. The Arrow and Parquet form of each stage is in
//! `stage::arrow` (feature `parquet`).

#[cfg(feature = "parquet")]
pub mod arrow;

use crate::corpus::Document;
use crate::dedup::{DedupOptions, DuplicatePair};
use crate::report::dedup::{Row, RowFormat, write_rows};
use crate::sketch::Signatures;
use crate::sketch::shingle::jaccard;
use crate::text::{boilerplate, title_suffix};
use crate::{Config, text};
use ahash::AHashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What every stage must agree on: the settings of the run the stages
/// make together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Format of the stage files.
    pub version: u32,
    /// Jaccard threshold of near-duplicates.
    pub threshold: f64,
    /// Shingle length in code points.
    pub shingle_chars: usize,
    /// MinHash signature length.
    pub num_hashes: usize,
    /// Boilerplate: fewest different articles.
    pub boilerplate_min_articles: usize,
    /// Boilerplate: fewest articles as a share of all documents.
    pub boilerplate_min_share: f64,
    /// Boilerplate: estimated Jaccard at which two bodies are one article.
    pub boilerplate_same_article: f64,
}

/// The version of the stage files' layout.
const VERSION: u32 = 1;

impl Settings {
    /// The settings of a run with `config`.
    pub fn of(config: &Config) -> Settings {
        Settings {
            version: VERSION,
            threshold: config.dedup.threshold,
            shingle_chars: config.dedup.shingle_chars,
            num_hashes: config.dedup.num_hashes,
            boilerplate_min_articles: config.boilerplate.min_articles,
            boilerplate_min_share: config.boilerplate.min_share,
            boilerplate_same_article: config.boilerplate.same_article,
        }
    }

    /// The settings of a run with the default configuration and this
    /// near-duplicate threshold.
    pub fn for_threshold(threshold: f64) -> Settings {
        let mut config = Config::default();
        config.dedup.threshold = threshold;
        Settings::of(&config)
    }

    /// The near-duplicate settings.
    pub fn dedup(&self) -> DedupOptions {
        DedupOptions {
            threshold: self.threshold,
            shingle_chars: self.shingle_chars,
            num_hashes: self.num_hashes,
        }
    }

    fn boilerplate(&self) -> boilerplate::Options {
        boilerplate::Options {
            min_articles: self.boilerplate_min_articles,
            min_share: self.boilerplate_min_share,
            same_article: self.boilerplate_same_article,
        }
    }

    /// The settings as stored in a stage file.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("settings serialise")
    }

    /// The settings a stage file stored, or why they cannot be read.
    pub fn from_json(json: &str) -> Result<Settings, String> {
        serde_json::from_str(json).map_err(|err| format!("unreadable stage settings: {err}"))
    }

    /// Whether input made with `found` may be read by a stage run with
    /// `self`; the error names what differs.
    pub fn accept(&self, found: &Settings) -> Result<(), String> {
        if self == found {
            return Ok(());
        }
        Err(format!(
            "made with other settings ({}), not these ({}); run every stage with the same settings",
            found.to_json(),
            self.to_json()
        ))
    }
}

/// Stage 1's row for one document.
#[derive(Clone, Debug, PartialEq)]
pub struct LineRow {
    /// The document's id.
    pub id: String,
    /// Hashes of its normalised body lines, sorted, without repeats.
    pub lines: Vec<u64>,
    /// `(tail, head)` hashes of its title at each separator.
    pub tails: Vec<(u64, u64)>,
    /// Its body's signature for the "different articles" test.
    pub body_signature: Vec<u32>,
}

/// Stage 1: each document's lines, title tails and body signature.
pub fn lines(documents: &[Document]) -> Vec<LineRow> {
    documents
        .par_iter()
        .map(|doc| {
            let body = text::normalised_body(doc);
            let mut lines = boilerplate::line_hashes(&body);
            lines.sort_unstable();
            lines.dedup();
            LineRow {
                id: doc.id.clone(),
                lines,
                tails: title_suffix::tails_and_heads(&doc.title),
                body_signature: boilerplate::body_signature(&body),
            }
        })
        .collect()
}

/// Stage 2's result: what the whole corpus says is boilerplate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Boilerplate {
    /// Hashes of the boilerplate lines, sorted.
    pub lines: Vec<u64>,
    /// Hashes of the site names that end titles, sorted.
    pub site_tails: Vec<u64>,
}

/// Fewest documents holding a boilerplate line, in a corpus of `documents`
/// (the cluster's count of lines stage rows): lines held by fewer need no
/// [`is_boilerplate_line`] test.
pub fn min_documents(documents: u64, settings: &Settings) -> usize {
    needed(documents, settings).documents
}

fn needed(documents: u64, settings: &Settings) -> boilerplate::Needed {
    boilerplate::Needed::in_corpus(documents as usize, &settings.boilerplate())
}

/// Whether one line is boilerplate, given every document holding it as
/// `(id, body signature)`, in any order (they are put in id order, the
/// corpus order, here).
pub fn is_boilerplate_line(
    holders: &mut [(&str, &[u32])],
    documents: u64,
    settings: &Settings,
) -> bool {
    let needed = needed(documents, settings);
    if holders.len() < needed.documents {
        return false;
    }
    holders.sort_unstable_by(|a, b| a.0.cmp(b.0));
    boilerplate::in_enough_articles(
        holders.iter().map(|&(_, signature)| signature),
        needed.articles,
        &settings.boilerplate(),
    )
}

/// Fewest different heads (by hash) that must precede a title tail across
/// the corpus for it to be a site's name.
pub const SITE_TAIL_MIN_HEADS: usize = title_suffix::MIN_TITLES;

/// Stage 2 in one process: the boilerplate table of all lines stage rows.
pub fn boilerplate(rows: &[LineRow], settings: &Settings) -> Boilerplate {
    let documents = rows.len() as u64;
    let mut occurrences: Vec<(u64, u32)> = rows
        .par_iter()
        .enumerate()
        .flat_map_iter(|(doc, row)| row.lines.iter().map(move |&h| (h, doc as u32)))
        .collect();
    occurrences.par_sort_unstable();
    let min = min_documents(documents, settings);
    let mut lines: Vec<u64> = occurrences
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() >= min)
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter(|run| {
            let mut holders: Vec<(&str, &[u32])> = run
                .iter()
                .map(|&(_, doc)| {
                    let row = &rows[doc as usize];
                    (row.id.as_str(), row.body_signature.as_slice())
                })
                .collect();
            is_boilerplate_line(&mut holders, documents, settings)
        })
        .map(|run| run[0].0)
        .collect();
    lines.sort_unstable();
    let pairs = rows.iter().flat_map(|r| r.tails.iter().copied()).collect();
    Boilerplate {
        lines,
        site_tails: title_suffix::site_tails(pairs),
    }
}

/// Stage 3's row for one document.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedRow {
    /// The document's id.
    pub id: String,
    /// Its time (seconds since 1970), if dated.
    pub time: Option<i64>,
    /// Its prepared text, whose shingles verification compares.
    pub text: String,
    /// Its LSH band keys, one per band; none for a text without shingles.
    pub keys: Vec<u64>,
}

/// Stage 3: each document prepared with the corpus' boilerplate table,
/// signed and cut into band keys.
pub fn sign(documents: &[Document], table: &Boilerplate, settings: &Settings) -> Vec<SignedRow> {
    let prepared = text::prepare_with_known_parts(documents, &table.lines, &table.site_tails);
    let options = settings.dedup();
    let hasher = options.hasher();
    let bands = options.bands();
    let texts: Vec<&str> = prepared.texts.iter().map(|t| t.text.as_str()).collect();
    let signatures = Signatures::build(&hasher, &texts);
    let keys: Vec<Vec<u64>> = (0..documents.len())
        .into_par_iter()
        .map(|i| match signatures.is_blank(i) {
            true => Vec::new(),
            false => bands.keys(signatures.get(i)),
        })
        .collect();
    documents
        .iter()
        .zip(prepared.texts)
        .zip(keys)
        .map(|((doc, prepared), keys)| SignedRow {
            id: doc.id.clone(),
            time: doc.time,
            text: prepared.text,
            keys,
        })
        .collect()
}

/// Stage 4 for one bucket: the candidate pairs `(a, b)`, `a < b` by id, of
/// the documents sharing one band's key, formed as one run forms them.
pub fn bucket_pairs<S: AsRef<str>>(members: &mut [S]) -> Vec<(String, String)> {
    members.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
    let mut pairs = Vec::new();
    crate::sketch::lsh::pairs_of_bucket(
        members,
        |m| m.as_ref(),
        |a, b| pairs.push((a.to_owned(), b.to_owned())),
    );
    pairs
}

/// Stage 4 in one process: every candidate pair of signed rows, sorted,
/// without repeats.
pub fn candidates(rows: &[SignedRow]) -> Vec<(String, String)> {
    let mut keyed: Vec<(usize, u64, &str)> = rows
        .iter()
        .flat_map(|row| {
            row.keys
                .iter()
                .enumerate()
                .map(move |(band, &key)| (band, key, row.id.as_str()))
        })
        .collect();
    keyed.par_sort_unstable();
    let mut pairs: Vec<(String, String)> = keyed
        .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
        .filter(|bucket| bucket.len() > 1)
        .flat_map(|bucket| {
            let mut ids: Vec<&str> = bucket.iter().map(|&(_, _, id)| id).collect();
            bucket_pairs(&mut ids)
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// A near-duplicate pair by id, `a < b`.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedPair {
    /// First document's id.
    pub a: String,
    /// Second document's id.
    pub b: String,
    /// Exact Jaccard similarity of their shingle sets.
    pub jaccard: f64,
}

/// The exact Jaccard similarity of two prepared texts' shingle sets.
pub fn similarity(a: &str, b: &str, settings: &Settings) -> f64 {
    if a == b {
        return 1.0;
    }
    let shingles = *settings.dedup().hasher().shingles();
    jaccard(&shingles.set(a), &shingles.set(b))
}

/// Stage 5: the candidate pairs, with both prepared texts, whose exact
/// Jaccard similarity reaches the threshold.
pub fn verify(pairs: &[(&str, &str, &str, &str)], settings: &Settings) -> Vec<VerifiedPair> {
    pairs
        .par_iter()
        .filter_map(|&(a, b, text_a, text_b)| {
            let jaccard = similarity(text_a, text_b, settings);
            (jaccard >= settings.threshold).then(|| VerifiedPair {
                a: a.to_owned(),
                b: b.to_owned(),
                jaccard,
            })
        })
        .collect()
}

/// One document of a group: its id, its group's representative and its
/// Jaccard similarity to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The document's id.
    pub id: String,
    /// Its group's representative's id.
    pub representative: String,
    /// Its similarity to the representative (1 for the representative).
    pub jaccard: f64,
}

/// Stage 6 in one process: the members of every group, given the
/// verified pairs and the signed rows of (at least) their documents, by
/// the grouping one run uses ([`crate::dedup`]: connected components,
/// the representative by earliest time then smallest id, each member's
/// Jaccard to it); an error names a document of a pair that no signed row
/// holds.
pub fn group(
    pairs: &[VerifiedPair],
    signed: &[SignedRow],
    settings: &Settings,
) -> Result<Vec<Member>, String> {
    let row_of: AHashMap<&str, &SignedRow> = signed.iter().map(|r| (r.id.as_str(), r)).collect();
    // The documents of the pairs, numbered in id order (the corpus order).
    let mut ids: Vec<&str> = pairs
        .iter()
        .flat_map(|p| [p.a.as_str(), p.b.as_str()])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<&SignedRow> = ids
        .iter()
        .map(|&id| {
            row_of.get(id).copied().ok_or_else(|| {
                format!("document '{id}' of a verified pair is in no signed row given")
            })
        })
        .collect::<Result<_, _>>()?;
    let number = |id: &str| ids.binary_search(&id).expect("an id of a pair") as u32;
    let mut numbered: Vec<DuplicatePair> = pairs
        .iter()
        .map(|p| DuplicatePair {
            a: number(&p.a),
            b: number(&p.b),
            jaccard: p.jaccard,
        })
        .collect();
    numbered.sort_unstable_by_key(|p| (p.a, p.b));
    let times: Vec<Option<i64>> = rows.iter().map(|r| r.time).collect();
    let shingles = *settings.dedup().hasher().shingles();
    let set_of = |d: u32| Cow::Owned(shingles.set(&rows[d as usize].text));
    let found = crate::dedup::group(ids.len(), 0, numbered, set_of, &times);
    let ids = &ids;
    Ok(found
        .groups
        .iter()
        .flat_map(|group| {
            let representative = ids[group.representative as usize];
            group.members.iter().map(move |&(d, jaccard)| Member {
                id: ids[d as usize].to_owned(),
                representative: representative.to_owned(),
                jaccard,
            })
        })
        .collect())
}

/// Writes the rows of the `dedup` report from every group's members, in
/// any order: groups by representative id (`D1`, `D2`, …), members by id,
/// byte for byte what `dedup --format tsv` (or `jsonl`) writes.
pub fn write_report(
    mut members: Vec<Member>,
    jsonl: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    members.sort_unstable_by(|x, y| (&x.representative, &x.id).cmp(&(&y.representative, &y.id)));
    let groups: Vec<&[Member]> = members
        .chunk_by(|x, y| x.representative == y.representative)
        .collect();
    let names: Vec<String> = (0..groups.len()).map(crate::report::group_id).collect();
    let rows = groups.iter().zip(&names).flat_map(|(group, name)| {
        group.iter().map(move |m| Row {
            doc_id: &m.id,
            group: name,
            representative: &m.representative,
            jaccard: crate::report::score(m.jaccard),
        })
    });
    let format = if jsonl {
        RowFormat::Jsonl
    } else {
        RowFormat::Tsv
    };
    write_rows(rows, format, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{ReadOptions, read_paths};
    use crate::report::dedup::{DedupFormat, write_groups};
    use crate::{PairSearch, deduplicate};

    /// One `dedup` run's TSV report.
    fn one_run(docs: Vec<Document>) -> String {
        let analysis = deduplicate(docs, &Config::default(), PairSearch::Lsh);
        let mut out = Vec::new();
        write_groups(&analysis, &[], DedupFormat::Tsv, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The same report by stages, the corpus cut into `parts` shards
    /// (every `parts`-th document in each, so shards interleave in id
    /// order) for the per-document stages.
    fn by_stages(docs: &[Document], parts: usize) -> String {
        let settings = Settings::of(&Config::default());
        let shards: Vec<Vec<Document>> = (0..parts)
            .map(|p| docs.iter().skip(p).step_by(parts).cloned().collect())
            .collect();
        let lines: Vec<LineRow> = shards.iter().flat_map(|s| lines(s)).collect();
        let table = boilerplate(&lines, &settings);
        let signed: Vec<SignedRow> = shards
            .iter()
            .flat_map(|s| sign(s, &table, &settings))
            .collect();
        let text_of: AHashMap<&str, &str> = signed
            .iter()
            .map(|r| (r.id.as_str(), r.text.as_str()))
            .collect();
        let pairs = candidates(&signed);
        let with_texts: Vec<(&str, &str, &str, &str)> = pairs
            .iter()
            .map(|(a, b)| {
                (
                    a.as_str(),
                    b.as_str(),
                    text_of[a.as_str()],
                    text_of[b.as_str()],
                )
            })
            .collect();
        let verified = verify(&with_texts, &settings);
        let members = group(&verified, &signed, &settings).unwrap();
        let mut out = Vec::new();
        write_report(members, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn stages_over_shards_give_one_runs_groups() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let corpus = read_paths(
            &[root.join("seeds"), root.join("ecbplus-dev")],
            &ReadOptions::default(),
        );
        let mut docs = corpus.documents;
        // Copies with a changed line and a shared boilerplate line, so that
        // groups, boilerplate and titles' site names all have work.
        let originals = docs.len();
        for i in 0..originals.min(40) {
            let mut copy = docs[i * 7 % originals].clone();
            copy.id = format!("zz-copy-{i:03}");
            copy.body.push_str("\nShare this story on social media");
            copy.title = format!("{} - The Daily Wire", copy.title);
            copy.time = Some(1_000_000 - i as i64);
            docs.push(copy);
        }
        let expected = one_run(docs.clone());
        assert!(expected.lines().count() > 40, "{expected}");
        for parts in [1, 3] {
            assert_eq!(by_stages(&docs, parts), expected, "{parts} shards");
        }
    }

    #[test]
    fn a_stage_refuses_other_settings() {
        let ours = Settings::of(&Config::default());
        let mut theirs = ours.clone();
        theirs.threshold = 0.7;
        assert!(ours.accept(&ours).is_ok());
        let err = ours.accept(&theirs).unwrap_err();
        assert!(err.contains("\"threshold\":0.7"), "{err}");
    }

    #[test]
    fn a_pair_whose_document_is_not_given_is_an_error() {
        let settings = Settings::of(&Config::default());
        let pair = VerifiedPair {
            a: "a".into(),
            b: "b".into(),
            jaccard: 0.9,
        };
        let a = SignedRow {
            id: "a".into(),
            time: None,
            text: "text".into(),
            keys: Vec::new(),
        };
        let err = group(&[pair], &[a], &settings).unwrap_err();
        assert_eq!(
            err,
            "document 'b' of a verified pair is in no signed row given"
        );
    }

    #[test]
    fn big_buckets_pair_as_one_run_does() {
        let mut ids: Vec<String> = (0..100).rev().map(|i| format!("d{i:03}")).collect();
        let pairs = bucket_pairs(&mut ids);
        // A star from the first and a chain: 99 + 98 pairs, not 4,950.
        assert_eq!(pairs.len(), 99 + 98);
        assert!(pairs.iter().all(|(a, b)| a < b));
        assert_eq!(pairs[0], ("d000".to_owned(), "d001".to_owned()));
    }
}
