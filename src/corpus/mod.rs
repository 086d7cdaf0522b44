//! Reading documents: folders, text files, JSON lines, RSS and Atom feeds
//! (with the `feeds` feature; any of them optionally gzipped) and standard
//! input, into [`Document`]s.
//!
//! Every bad input becomes an [`InputProblem`] naming the file (and line);
//! the other inputs are still read. Documents come back sorted by id, so
//! nothing downstream depends on the order the inputs were given in.

mod date;
mod decode;
#[cfg(feature = "feeds")]
mod feed;
#[cfg(feature = "feeds")]
mod html;
mod json;
mod origin;
#[cfg(feature = "parquet")]
pub mod parquet;
mod sources;
mod text_file;

pub use date::{DAY_SECONDS, format_day, parse_time};
pub use json::document_from_value;
pub use origin::Origin;
pub use sources::{Source, SourceKind, is_parquet};

use crate::error::InputProblem;
use crate::progress::{Progress, Stage, Unit};
use rayon::prelude::*;
use serde::Serialize;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

/// One article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Stable id: the file stem of a text file, or the JSON `id`.
    pub id: String,
    /// Headline: first non-empty line of a text file, or the JSON `title`.
    pub title: String,
    /// The text without the title.
    pub body: String,
    /// Publication date as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `date` read as Unix seconds (see [`parse_time`]); `None` without a
    /// date or when it is in no known form. Set with [`Document::dated`].
    #[serde(skip)]
    pub time: Option<i64>,
    /// Publisher or feed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The file it was read from, and its place in it.
    pub origin: Origin,
    /// Place in the input order (paths in the order given, folders in name
    /// order, lines in file order), for `--keep first`.
    #[serde(skip)]
    pub position: usize,
}

impl Document {
    /// A document with only an id, a title and a body (no date, source or
    /// url; read from nowhere).
    pub fn new(id: &str, title: &str, body: &str) -> Document {
        Document {
            id: id.to_owned(),
            title: title.to_owned(),
            body: body.to_owned(),
            date: None,
            time: None,
            source: None,
            url: None,
            origin: Origin::default(),
            position: 0,
        }
    }

    /// This document with its date (trimmed; empty is none), and the time
    /// read from it: the one way a date is set, so the two always agree.
    pub fn dated(mut self, date: Option<String>) -> Document {
        self.date = date.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
        self.time = self.date.as_deref().and_then(parse_time);
        self
    }

    /// What to show as its headline: the title, or without one the start
    /// of the text's first non-empty line (a text file's first line is its
    /// title; a JSON item may have none).
    pub fn headline(&self) -> &str {
        /// Characters of a first line shown as a headline.
        const HEADLINE_CHARS: usize = 120;
        if !self.title.trim().is_empty() {
            return &self.title;
        }
        let line = self.body.lines().map(str::trim).find(|l| !l.is_empty());
        let line = line.unwrap_or("");
        line.char_indices()
            .nth(HEADLINE_CHARS)
            .map_or(line, |(end, _)| &line[..end])
    }

    /// Days since 1970-01-01 of the document's time, if it has one.
    pub fn day(&self) -> Option<i64> {
        self.time.map(|t| t.div_euclid(DAY_SECONDS))
    }
}

/// The fields of one record of a structured input (a JSON object, a
/// Parquet row), before they are checked: one way to make a document from
/// them, and one set of messages for what is missing.
pub(crate) struct Fields {
    pub id: Option<String>,
    pub text: Option<String>,
    pub title: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
}

impl Fields {
    /// The document, or why the record is skipped; `at` says where it came
    /// from.
    pub(crate) fn into_document(self, at: Origin) -> Result<Document, String> {
        let id = match self.id {
            Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
            Some(_) => return Err("empty `id`; skipped".into()),
            None => return Err("missing field `id`; skipped".into()),
        };
        let title = self.title.unwrap_or_default();
        let body = match self.text {
            Some(text) if !text.trim().is_empty() => text,
            // A headline alone, as a text file of one line is (and as
            // `dedup --emit unique` writes one back).
            Some(_) if !title.trim().is_empty() => String::new(),
            Some(_) => return Err(format!("document '{id}' has empty `text`; skipped")),
            None => return Err(format!("document '{id}' has no field `text`; skipped")),
        };
        let non_empty =
            |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Document {
            source: non_empty(self.source),
            url: non_empty(self.url),
            origin: at,
            ..Document::new(&id, title.trim(), &body)
        }
        .dated(self.date))
    }
}

/// Limits that protect against inputs too large to be articles, and where
/// reading reports its progress.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Largest text file, JSON line or decompressed document accepted, in bytes.
    pub max_document_bytes: u64,
    /// Progress of reading, in input bytes.
    pub progress: Progress,
}

impl ReadOptions {
    /// The limit for a file read whole that holds many documents (a feed,
    /// a JSON array): 64 documents' worth of bytes.
    pub fn for_many_documents(&self) -> ReadOptions {
        ReadOptions {
            max_document_bytes: self.max_document_bytes.saturating_mul(64),
            progress: Progress::hidden(),
        }
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_document_bytes: 16 * 1024 * 1024,
            progress: Progress::hidden(),
        }
    }
}

/// What reading produced: the documents, the bad inputs, and notes about
/// files passed over on purpose (hidden, or of another kind).
#[derive(Debug, Default)]
pub struct Corpus {
    /// Documents sorted by id, ids unique.
    pub documents: Vec<Document>,
    /// Inputs that could not be read; each was skipped.
    pub problems: Vec<InputProblem>,
    /// Files skipped on purpose.
    pub notes: Vec<String>,
}

/// Reads every path (`-` is standard input), in parallel.
pub fn read_paths(paths: &[PathBuf], options: &ReadOptions) -> Corpus {
    let mut corpus = Corpus::default();
    let sources = sources::expand(paths, &mut corpus.problems, &mut corpus.notes);
    // Bytes as stored (compressed ones too), counted as they are read, so
    // one large file advances the bar too. Sizes cost a call per file: only
    // when a bar may be drawn.
    let total = if options.progress.is_hidden() {
        0
    } else {
        sources
            .iter()
            .map(|s| std::fs::metadata(&s.path).map_or(0, |m| m.len()))
            .sum()
    };
    let stage = options.progress.stage("reading", total, Unit::Bytes);
    let results: Vec<(Vec<Document>, Vec<InputProblem>)> = sources
        .par_iter()
        .map(|source| read_source(source, options, &stage))
        .collect();
    drop(stage);
    let mut documents = Vec::new();
    for (docs, problems) in results {
        // The first source's documents are taken as they are, not copied
        // (one large file: 19,043 documents, 2 ms).
        if documents.is_empty() {
            documents = docs;
        } else {
            documents.extend(docs);
        }
        corpus.problems.extend(problems);
    }
    corpus.documents = sort_by_id(documents, &mut corpus.problems);
    cap_per_file(&mut corpus.problems);
    corpus.notes.extend(unreadable_dates(&corpus.documents));
    corpus
}

/// How a read that failed part-way is said: reading that file stopped there.
const READ_FAILED: &str = "cannot read: ";

fn read_failed(err: impl std::fmt::Display) -> String {
    format!("{READ_FAILED}{err}")
}

/// Problems kept (and printed) per file; the rest are counted in one line.
pub const MAX_PROBLEMS_PER_FILE: usize = 20;

/// Keeps the first [`MAX_PROBLEMS_PER_FILE`] problems of each file and
/// adds one line per file saying how many more there were: a small file
/// of a million bad or repeated lines must not print a million lines.
/// A failed read is always kept: it says why the rest of the file is
/// missing.
fn cap_per_file(problems: &mut Vec<InputProblem>) {
    // Within a file, in line order (reading and the id check report apart).
    problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    let mut seen: ahash::AHashMap<String, usize> = ahash::AHashMap::new();
    problems.retain(|p| {
        if p.message.starts_with(READ_FAILED) {
            return true;
        }
        let count = seen.entry(p.path.clone()).or_default();
        *count += 1;
        *count <= MAX_PROBLEMS_PER_FILE
    });
    let mut more: Vec<(String, usize)> = seen
        .into_iter()
        .filter(|(_, n)| *n > MAX_PROBLEMS_PER_FILE)
        .map(|(path, n)| (path, n - MAX_PROBLEMS_PER_FILE))
        .collect();
    more.sort();
    for (path, extra) in more {
        let message = format!(
            "and {extra} more problem{} in this file, not shown",
            if extra == 1 { "" } else { "s" }
        );
        problems.push(InputProblem::file(path, message));
    }
}

/// Reads one text or JSON document set from bytes already in memory, as if
/// from a file named `origin` (used for standard input and by tests).
pub fn read_bytes(origin: &str, bytes: &[u8], options: &ReadOptions) -> Corpus {
    let mut corpus = Corpus::default();
    let (docs, problems) = read_sniffed(origin, bytes, options);
    corpus.problems = problems;
    corpus.documents = sort_by_id(docs, &mut corpus.problems);
    cap_per_file(&mut corpus.problems);
    corpus.notes.extend(unreadable_dates(&corpus.documents));
    corpus
}

/// One note for every date that could not be read: how many, and the
/// first in input order with where it stands. Such documents are kept,
/// undated.
fn unreadable_dates(docs: &[Document]) -> Option<String> {
    let unreadable = docs.iter().filter(|d| d.date.is_some() && d.time.is_none());
    let count = unreadable.clone().count();
    let first = unreadable.min_by_key(|d| d.position)?;
    let date = first.date.as_deref().unwrap_or_default();
    let shown: String = date.chars().take(40).collect();
    Some(format!(
        "{count} date{} in no known form, kept undated (first: {}: '{shown}')",
        if count == 1 { "" } else { "s" },
        first.origin
    ))
}

/// What reading one source gives: its documents and its problems.
type Found = (Vec<Document>, Vec<InputProblem>);

fn read_source(source: &Source, options: &ReadOptions, stage: &Stage) -> Found {
    // Every kind but Parquet is read as a stream of the (decompressed) file.
    let streamed =
        |read: &dyn Fn(&str, Box<dyn Read + Send>) -> Found| match source.open(options, stage) {
            Ok(reader) => read(&source.display(), reader),
            Err(problem) => (Vec::new(), vec![problem]),
        };
    match source.kind {
        SourceKind::Text => streamed(&|origin, reader| match decode::read_limited(
            reader, origin, options,
        ) {
            Ok(bytes) => match text_file::parse(origin, source.stem(), &bytes) {
                Ok(doc) => (vec![doc], Vec::new()),
                Err(problem) => (Vec::new(), vec![problem]),
            },
            Err(problem) => (Vec::new(), vec![problem]),
        }),
        SourceKind::Json => streamed(&|origin, reader| json::read(origin, reader, options)),
        #[cfg(feature = "feeds")]
        SourceKind::Feed => streamed(&|origin, reader| feed::read(origin, reader, options)),
        SourceKind::Stdin => streamed(&|origin, reader| read_sniffed(origin, reader, options)),
        // Read by seeking in the file.
        #[cfg(feature = "parquet")]
        SourceKind::Parquet => {
            let read = parquet::read(&source.display(), &source.path, options);
            stage.inc(std::fs::metadata(&source.path).map_or(0, |m| m.len()));
            read
        }
    }
}

/// Standard input may be JSON lines or a JSON array, read as a stream like
/// a file of them, or one plain text, held to the document size limit.
fn read_sniffed(
    origin: &str,
    reader: impl Read + Send,
    options: &ReadOptions,
) -> (Vec<Document>, Vec<InputProblem>) {
    let mut reader = BufReader::new(reader);
    // Blank lines before the first byte are consumed (counted, so JSON
    // lines keep their numbers) to see what the input is.
    let mut blank_lines = 0u64;
    let first = loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(err) => {
                let problem = InputProblem::file(origin, read_failed(err));
                return (Vec::new(), vec![problem]);
            }
        };
        let Some(&first) = buf.first() else {
            break None;
        };
        if !first.is_ascii_whitespace() {
            break Some(first);
        }
        blank_lines += u64::from(first == b'\n');
        reader.consume(1);
    };
    match first {
        Some(b'{') | Some(b'[') => {
            let reader = std::io::repeat(b'\n').take(blank_lines).chain(reader);
            json::read(origin, reader, options)
        }
        _ => match decode::read_limited(reader, origin, options) {
            Ok(bytes) => match text_file::parse(origin, "stdin", &bytes) {
                Ok(doc) => (vec![doc], Vec::new()),
                Err(problem) => (Vec::new(), vec![problem]),
            },
            Err(problem) => (Vec::new(), vec![problem]),
        },
    }
}

/// Numbers documents in input order, sorts them by id, and keeps the first
/// (in input order) of each id, reporting the rest in input order.
fn sort_by_id(mut docs: Vec<Document>, problems: &mut Vec<InputProblem>) -> Vec<Document> {
    for (position, doc) in docs.iter_mut().enumerate() {
        doc.position = position;
    }
    if docs.windows(2).all(|w| w[0].id < w[1].id) {
        return docs;
    }
    // Sorting indices, not documents, keeps the moves small; input order
    // breaks ties, so the first of each id leads its run.
    let mut order: Vec<u32> = (0..docs.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| {
        docs[a as usize]
            .id
            .cmp(&docs[b as usize].id)
            .then(a.cmp(&b))
    });
    let mut duplicates: Vec<(u32, u32)> = Vec::new();
    order.dedup_by(|later, first| {
        let same = docs[*later as usize].id == docs[*first as usize].id;
        if same {
            duplicates.push((*later, *first));
        }
        same
    });
    duplicates.sort_unstable();
    for &(later, first) in &duplicates {
        let (doc, first) = (&docs[later as usize], &docs[first as usize]);
        let message = format!(
            "duplicate id '{}' (first seen at {}); skipped",
            doc.id, first.origin
        );
        problems.push(doc.origin.problem(message));
    }
    // The documents kept, in order, then the repeats skipped: each document
    // is moved in place along its cycle of the permutation, once (no
    // second corpus-sized vector to allocate and fault in).
    let kept = order.len();
    let mut source = order;
    source.extend(duplicates.iter().map(|&(later, _)| later));
    permute_in_place(&mut docs, &mut source);
    docs.truncate(kept);
    docs
}

/// Rearranges `items` so that slot k holds the item that was at
/// `source[k]` (`source` a permutation of the indices; left as the
/// identity).
fn permute_in_place<T>(items: &mut [T], source: &mut [u32]) {
    for start in 0..items.len() {
        let mut k = start;
        // Slot k holds the item that was at `start`, until the cycle closes.
        while source[k] as usize != start {
            let next = source[k] as usize;
            items.swap(k, next);
            source[k] = k as u32;
            k = next;
        }
        source[k] = k as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn permuting_in_place_gathers_by_source(
            (items, source) in (0usize..40).prop_flat_map(|n| {
                let indices: Vec<u32> = (0..n as u32).collect();
                (Just(indices.clone()), Just(indices).prop_shuffle())
            })
        ) {
            let mut permuted = items.clone();
            let mut order = source.clone();
            permute_in_place(&mut permuted, &mut order);
            let gathered: Vec<u32> = source.iter().map(|&i| items[i as usize]).collect();
            prop_assert_eq!(permuted, gathered);
        }
    }

    #[test]
    fn ids_out_of_order_are_sorted_with_repeats_skipped() {
        let input = b"{\"id\":\"c\",\"text\":\"3\"}\n{\"id\":\"a\",\"text\":\"1\"}\n\
{\"id\":\"c\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"2\"}\n{\"id\":\"a\",\"text\":\"y\"}\n";
        let corpus = read_bytes("in.jsonl", input, &ReadOptions::default());
        let got: Vec<(&str, &str, usize)> = corpus
            .documents
            .iter()
            .map(|d| (d.id.as_str(), d.body.as_str(), d.position))
            .collect();
        assert_eq!(got, [("a", "1", 1), ("b", "2", 3), ("c", "3", 0)]);
        assert_eq!(corpus.problems.len(), 2);
    }

    #[test]
    fn duplicate_ids_keep_the_first() {
        let corpus = read_bytes(
            "in.jsonl",
            b"{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"a\",\"text\":\"two\"}\n",
            &ReadOptions::default(),
        );
        assert_eq!(corpus.documents.len(), 1);
        assert_eq!(corpus.documents[0].body, "one");
        assert_eq!(corpus.problems.len(), 1);
        assert_eq!(
            corpus.problems[0].to_string(),
            "in.jsonl:2: duplicate id 'a' (first seen at in.jsonl:1); skipped"
        );
    }

    #[test]
    fn a_duplicate_in_an_array_is_named_by_its_item() {
        let corpus = read_bytes(
            "in.json",
            b"[{\"id\":\"a\",\"text\":\"one\"},\n{\"id\":\"a\",\"text\":\"two\"}]\n",
            &ReadOptions::default(),
        );
        assert_eq!(corpus.documents.len(), 1);
        assert_eq!(
            corpus.problems[0].to_string(),
            "in.json[1]: duplicate id 'a' (first seen at in.json[0]); skipped"
        );
    }

    #[test]
    fn plain_text_on_stdin_is_one_document() {
        let corpus = read_bytes("-", b"Title\n\nBody text.", &ReadOptions::default());
        assert_eq!(corpus.documents[0].id, "stdin");
        assert_eq!(corpus.documents[0].title, "Title");
    }
}
