//! JSON documents: JSON lines (one object per line) or one JSON array of
//! objects. Each object has `id` and `text`, and may have `title`, `date`,
//! `url` and `source`; other fields are ignored.

use super::{Document, ReadOptions, decode};
use crate::error::InputProblem;
use rayon::prelude::*;
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read};

#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(serde_json::Number),
}

/// A date as text, or as a number of Unix seconds (or milliseconds).
#[derive(Deserialize)]
#[serde(untagged)]
enum Date {
    Text(String),
    Number(serde_json::Number),
}

#[derive(Deserialize)]
struct Record {
    id: Option<Id>,
    text: Option<String>,
    title: Option<String>,
    date: Option<Date>,
    url: Option<String>,
    source: Option<String>,
}

/// Reads JSON lines or a JSON array from `reader`.
pub fn read(
    origin: &str,
    reader: impl Read + Send,
    options: &ReadOptions,
) -> (Vec<Document>, Vec<InputProblem>) {
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    // UTF-16 is named once for the file: split at its newline bytes, every
    // line would be reported.
    let utf16 = match reader.fill_buf() {
        // A read error (a corrupt gzip stream) is reported here: the
        // stream may not raise it twice.
        Err(err) => {
            let problem = InputProblem::file(origin, format!("cannot read: {err}"));
            return (docs, vec![problem]);
        }
        Ok(start) => super::decode::utf16_message(start),
    };
    if let Some(message) = utf16 {
        return (docs, vec![InputProblem::file(origin, message)]);
    }
    let mut next_line = match skip_whitespace(&mut reader) {
        Err(err) => {
            let problem = InputProblem::file(origin, format!("cannot read: {err}"));
            return (docs, vec![problem]);
        }
        Ok(Start::Empty) => return (docs, problems),
        Ok(Start::Array(line)) => return read_array(origin, reader, line, options),
        Ok(Start::Lines(line)) => line,
    };
    // Lines are split here, in order, and parsed in parallel a batch at a
    // time, while the next batch is read; the last batch is parsed alone.
    let mut parsing = Batch::default();
    let mut reading = true;
    while reading || !parsing.is_empty() {
        let (parsed, next) = rayon::join(
            || parsing.parse(origin),
            || reading.then(|| read_batch(&mut reader, &mut next_line, options, origin)),
        );
        for result in parsed {
            match result {
                Ok(doc) => docs.push(doc),
                Err(problem) => problems.push(problem),
            }
        }
        (parsing, reading) = match next {
            Some((batch, end)) => (batch, !end),
            None => (Batch::default(), false),
        };
    }
    // A read problem and a parse problem of one batch: keep line order.
    problems.sort_by_key(|p| p.line);
    (docs, problems)
}

/// Bytes of lines parsed together in parallel.
const BATCH_BYTES: usize = 4 << 20;

/// How a JSON input starts, after leading whitespace.
enum Start {
    Empty,
    /// A JSON array opening on this line.
    Array(usize),
    /// JSON lines, the first on this line.
    Lines(usize),
}

/// Consumes leading whitespace (counting lines) and tells what follows.
fn skip_whitespace(reader: &mut impl BufRead) -> std::io::Result<Start> {
    let mut line = 1;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(Start::Empty);
        }
        let blank = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        line += buf[..blank].iter().filter(|&&b| b == b'\n').count();
        let next = buf.get(blank).copied();
        reader.consume(blank);
        match next {
            Some(b'[') => return Ok(Start::Array(line)),
            Some(_) => return Ok(Start::Lines(line)),
            None => {}
        }
    }
}

/// Lines read together: their bytes back to back, and each line's number
/// and range.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    lines: Vec<(usize, std::ops::Range<usize>)>,
    /// Lines that could not be read.
    problems: Vec<InputProblem>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.problems.is_empty()
    }

    fn parse(&mut self, origin: &str) -> Vec<Result<Document, InputProblem>> {
        let mut parsed: Vec<Result<Document, InputProblem>> = self
            .lines
            .par_iter()
            .map(|(number, range)| parse_record(origin, *number, &self.bytes[range.clone()]))
            .collect();
        parsed.extend(self.problems.drain(..).map(Err));
        parsed
    }
}

/// Reads lines until a batch is full; returns it and whether the input
/// ended. Blank lines are passed over; `next_line` counts every line.
fn read_batch(
    reader: &mut impl BufRead,
    next_line: &mut usize,
    options: &ReadOptions,
    origin: &str,
) -> (Batch, bool) {
    let mut batch = Batch {
        bytes: Vec::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
        ..Batch::default()
    };
    loop {
        let number = *next_line;
        *next_line += 1;
        let start = batch.bytes.len();
        match read_line(reader, &mut batch.bytes, options.max_document_bytes) {
            Err(err) => {
                batch.bytes.truncate(start);
                let message = format!("cannot read: {err}");
                batch
                    .problems
                    .push(InputProblem::line(origin, number, message));
                return (batch, true);
            }
            Ok(LineRead::End) => return (batch, true),
            Ok(LineRead::TooLong) => {
                let limit = options.max_document_bytes;
                let message = format!("line longer than {limit} bytes; skipped");
                batch
                    .problems
                    .push(InputProblem::line(origin, number, message));
            }
            Ok(LineRead::Line) => {
                if batch.bytes[start..].iter().all(u8::is_ascii_whitespace) {
                    batch.bytes.truncate(start);
                } else {
                    batch.lines.push((number, start..batch.bytes.len()));
                }
            }
        }
        if batch.bytes.len() >= BATCH_BYTES {
            return (batch, false);
        }
    }
}

enum LineRead {
    Line,
    TooLong,
    End,
}

/// Appends one line to `out` (without the newline), never holding more
/// than `limit` bytes of it: a longer line is consumed, left out and
/// reported.
fn read_line(
    reader: &mut impl BufRead,
    out: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<LineRead> {
    let start = out.len();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if (out.len() - start + chunk.len()) as u64 > limit {
                too_long = true;
                out.truncate(start);
            } else {
                out.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    Ok(match (any, too_long) {
        (false, _) => LineRead::End,
        (true, true) => LineRead::TooLong,
        (true, false) => LineRead::Line,
    })
}

fn parse_record(origin: &str, line: usize, bytes: &[u8]) -> Result<Document, InputProblem> {
    let text = decode::to_text(bytes, origin, Some(line))?;
    let record: Record = serde_json::from_str(text).map_err(|err| {
        InputProblem::line(origin, line, format!("malformed JSON: {err}; skipped"))
    })?;
    into_document(record, format!("{origin}:{line}"))
        .map_err(|message| InputProblem::line(origin, line, message))
}

/// One document from a parsed JSON object; `at` says where it came from.
pub fn document_from_value(value: serde_json::Value, at: String) -> Result<Document, String> {
    let record = serde_json::from_value::<Record>(value)
        .map_err(|err| format!("malformed item: {err}; skipped"))?;
    into_document(record, at)
}

fn into_document(record: Record, at: String) -> Result<Document, String> {
    let id = match record.id {
        Some(Id::Text(id)) if !id.trim().is_empty() => id.trim().to_owned(),
        Some(Id::Number(n)) => n.to_string(),
        Some(Id::Text(_)) => return Err("empty `id`; skipped".into()),
        None => return Err("missing field `id`; skipped".into()),
    };
    let body = match record.text {
        Some(text) if !text.trim().is_empty() => text,
        Some(_) => return Err(format!("document '{id}' has empty `text`; skipped")),
        None => return Err(format!("document '{id}' has no field `text`; skipped")),
    };
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let date = record.date.map(|date| match date {
        Date::Text(text) => text,
        Date::Number(number) => number.to_string(),
    });
    let title = record.title.unwrap_or_default();
    Ok(Document {
        source: non_empty(record.source),
        url: non_empty(record.url),
        origin: at,
        ..Document::new(&id, title.trim(), &body)
    }
    .dated(date))
}

/// A JSON array of objects, starting on line `first_line` whose bytes are in
/// `start`. Read whole: arrays are for modest inputs, JSON lines for streams.
fn read_array(
    origin: &str,
    reader: impl Read,
    first_line: usize,
    options: &ReadOptions,
) -> (Vec<Document>, Vec<InputProblem>) {
    let bytes = match decode::read_limited(reader, origin, &options.for_many_documents()) {
        Ok(bytes) => bytes,
        Err(problem) => return (Vec::new(), vec![problem]),
    };
    let text = match decode::to_text(&bytes, origin, Some(first_line)) {
        Ok(text) => text,
        Err(problem) => return (Vec::new(), vec![problem]),
    };
    let items: Vec<serde_json::Value> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(err) => {
            let line = first_line + err.line().saturating_sub(1);
            return (
                Vec::new(),
                vec![InputProblem::line(
                    origin,
                    line,
                    format!("malformed JSON array: {err}; skipped"),
                )],
            );
        }
    };
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let at = format!("{origin}[{index}]");
        let result = document_from_value(item, at.clone());
        match result {
            Ok(doc) => docs.push(doc),
            Err(message) => problems.push(InputProblem::file(at, message)),
        }
    }
    (docs, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> (Vec<Document>, Vec<InputProblem>) {
        read("in.jsonl", s.as_bytes(), &ReadOptions::default())
    }

    #[test]
    fn reads_lines_and_reports_bad_ones() {
        let (docs, problems) = read_str(concat!(
            "{\"id\":\"a\",\"text\":\"alpha\",\"title\":\"A\",\"date\":\"2016-07-14\"}\n",
            "\n",
            "{\"id\":\"b\",\"text\":\n",
            "{\"id\":7,\"text\":\"seven\"}\n",
            "{\"text\":\"no id\"}\n",
            "{\"id\":\"c\",\"text\":\"  \"}\n",
        ));
        let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "7"]);
        assert_eq!(docs[0].date.as_deref(), Some("2016-07-14"));
        assert_eq!(docs[1].origin, "in.jsonl:4");
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3), Some(5), Some(6)]);
        assert!(problems[0].message.starts_with("malformed JSON"));
    }

    #[test]
    fn invalid_utf8_in_one_line_loses_only_that_line() {
        let mut bytes =
            b"{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"\xff\"}\n".to_vec();
        bytes.extend_from_slice(b"{\"id\":\"c\",\"text\":\"z\"}\n");
        let (docs, problems) = read("f.jsonl", &bytes[..], &ReadOptions::default());
        assert_eq!(docs.len(), 2);
        assert_eq!(problems[0].line, Some(2));
    }

    #[test]
    fn long_lines_are_skipped_not_held() {
        let options = ReadOptions {
            max_document_bytes: 40,
            ..ReadOptions::default()
        };
        let input = format!(
            "{{\"id\":\"a\",\"text\":\"{}\"}}\n{{\"id\":\"b\",\"text\":\"ok\"}}\n",
            "x".repeat(100)
        );
        let (docs, problems) = read("f.jsonl", input.as_bytes(), &options);
        assert_eq!(docs.len(), 1);
        assert_eq!(problems[0].line, Some(1));
    }

    #[test]
    fn reads_an_array() {
        let (docs, problems) = read_str("[\n {\"id\":\"a\",\"text\":\"x\"},\n {\"id\":\"b\"}\n]\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(problems[0].path, "in.jsonl[1]");
    }
}
