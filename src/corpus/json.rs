//! JSON documents: JSON lines (one object per line) or one JSON array of
//! objects. Each object has `id` and `text`, and may have `title`, `date`,
//! `url` and `source`; other fields are ignored.

use super::{Document, Origin, ReadOptions, decode};
use crate::error::InputProblem;
use rayon::prelude::*;
use serde::Deserialize;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

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

/// Reads JSON lines or a JSON array from `reader`, streaming: either way
/// one document at a time is held to the size limit, and memory grows with
/// the documents kept, not with the input's size.
pub fn read(
    origin: &str,
    reader: impl Read + Send,
    options: &ReadOptions,
) -> (Vec<Document>, Vec<InputProblem>) {
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    // UTF-16 is named once for the file: split at its newline bytes, every
    // line would be reported.
    let utf16 = match reader.fill_buf() {
        // A read error (a corrupt gzip stream) is reported here: the
        // stream may not raise it twice.
        Err(err) => {
            let problem = InputProblem::file(origin, super::read_failed(err));
            return (Vec::new(), vec![problem]);
        }
        Ok(start) => super::decode::utf16_message(start),
    };
    if let Some(message) = utf16 {
        return (Vec::new(), vec![InputProblem::file(origin, message)]);
    }
    match skip_whitespace(&mut reader) {
        Err(err) => {
            let problem = InputProblem::file(origin, super::read_failed(err));
            (Vec::new(), vec![problem])
        }
        Ok(Start::Empty) => (Vec::new(), Vec::new()),
        Ok(Start::Array(line)) => read_records(origin, reader, Elements::new(line), options),
        Ok(Start::Lines(line)) => read_records(origin, reader, Lines { next: line }, options),
    }
}

/// Splits records out of `reader` and parses them in parallel a batch at a
/// time, while the next batch is read; the last batch is parsed alone.
fn read_records(
    origin: &str,
    mut reader: impl BufRead + Send,
    mut splitter: impl Splitter + Send,
    options: &ReadOptions,
) -> (Vec<Document>, Vec<InputProblem>) {
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    let mut parsing = Batch::default();
    let mut reading = true;
    // One path for every document of the file.
    let file: Arc<str> = origin.into();
    while reading || !parsing.is_empty() {
        let (parsed, next) = rayon::join(
            || parsing.parse(&file),
            || reading.then(|| read_batch(&mut reader, &mut splitter, options, origin)),
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

/// Bytes of records parsed together in parallel.
const BATCH_BYTES: usize = 4 << 20;

/// How a JSON input starts, after leading whitespace.
enum Start {
    Empty,
    /// A JSON array opening on this line.
    Array(usize),
    /// JSON lines, the first on this line.
    Lines(usize),
}

/// Consumes leading whitespace and a UTF-8 byte-order mark (counting
/// lines) and tells what follows.
fn skip_whitespace(reader: &mut impl BufRead) -> std::io::Result<Start> {
    let mut line = 1;
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
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

/// Where a record was found: the line it starts on, and for an element of
/// a JSON array its index.
#[derive(Clone, Copy)]
struct Place {
    line: usize,
    index: Option<usize>,
}

impl Place {
    /// The document's origin, for reports.
    fn origin(self, file: &Arc<str>) -> Origin {
        match self.index {
            Some(index) => Origin::item(file, index),
            None => Origin::line(file, self.line),
        }
    }

    fn problem(self, origin: &str, message: impl std::fmt::Display) -> InputProblem {
        let message = match self.index {
            Some(index) => format!("item [{index}]: {message}"),
            None => message.to_string(),
        };
        InputProblem::line(origin, self.line, message)
    }
}

/// What a splitter found next.
enum Next {
    /// A record, its bytes appended to the batch.
    Record(Place),
    /// A record over the size limit: consumed, not kept.
    TooLong(Place),
    /// Something that is no record, said at a place; reading goes on.
    Problem(Place, String),
    End,
}

/// Cuts records out of a stream: JSON lines, or the elements of an array.
trait Splitter {
    /// Appends the next record's bytes to `out`, never more than `limit`.
    fn next(
        &mut self,
        reader: &mut impl BufRead,
        out: &mut Vec<u8>,
        limit: u64,
    ) -> std::io::Result<Next>;

    /// The place reading has reached, for a read error.
    fn here(&self) -> Place;
}

/// Records read together: their bytes back to back, and each one's place
/// and range.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    records: Vec<(Place, std::ops::Range<usize>)>,
    /// Records that could not be read.
    problems: Vec<InputProblem>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.records.is_empty() && self.problems.is_empty()
    }

    fn parse(&mut self, file: &Arc<str>) -> Vec<Result<Document, InputProblem>> {
        let mut parsed: Vec<Result<Document, InputProblem>> = self
            .records
            .par_iter()
            .map(|(place, range)| parse_record(file, *place, &self.bytes[range.clone()]))
            .collect();
        parsed.extend(self.problems.drain(..).map(Err));
        parsed
    }
}

/// Reads records until a batch is full; returns it and whether the input
/// ended.
fn read_batch(
    reader: &mut impl BufRead,
    splitter: &mut impl Splitter,
    options: &ReadOptions,
    origin: &str,
) -> (Batch, bool) {
    let mut batch = Batch {
        bytes: Vec::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
        ..Batch::default()
    };
    let limit = options.max_document_bytes;
    loop {
        let start = batch.bytes.len();
        match splitter.next(reader, &mut batch.bytes, limit) {
            Err(err) => {
                batch.bytes.truncate(start);
                let line = splitter.here().line;
                let problem = InputProblem::line(origin, line, super::read_failed(err));
                batch.problems.push(problem);
                return (batch, true);
            }
            Ok(Next::End) => return (batch, true),
            Ok(Next::TooLong(place)) => {
                let problem = place.problem(origin, format!("longer than {limit} bytes; skipped"));
                batch.problems.push(problem);
            }
            Ok(Next::Problem(place, message)) => {
                batch.problems.push(place.problem(origin, message));
            }
            Ok(Next::Record(place)) => batch.records.push((place, start..batch.bytes.len())),
        }
        if batch.bytes.len() >= BATCH_BYTES {
            return (batch, false);
        }
    }
}

/// JSON lines: one record per line; blank lines are passed over.
struct Lines {
    /// The number of the next line.
    next: usize,
}

impl Splitter for Lines {
    fn next(
        &mut self,
        reader: &mut impl BufRead,
        out: &mut Vec<u8>,
        limit: u64,
    ) -> std::io::Result<Next> {
        loop {
            let place = self.here();
            self.next += 1;
            let start = out.len();
            match read_line(reader, out, limit)? {
                LineRead::End => return Ok(Next::End),
                LineRead::TooLong => return Ok(Next::TooLong(place)),
                LineRead::Line if out[start..].iter().all(u8::is_ascii_whitespace) => {
                    out.truncate(start)
                }
                LineRead::Line => return Ok(Next::Record(place)),
            }
        }
    }

    fn here(&self) -> Place {
        Place {
            line: self.next,
            index: None,
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

/// The elements of one JSON array, cut at the commas between them by
/// following strings and nesting, so that an array of a million documents
/// is read like a million JSON lines: each element parsed alone, held to
/// the size limit, and a bad one costing only itself.
struct Elements {
    /// The line reading has reached.
    line: usize,
    /// The index of the next element.
    index: usize,
    state: ArrayState,
}

#[derive(PartialEq)]
enum ArrayState {
    /// Before the opening `[`.
    Opening,
    Inside,
    /// After the closing `]`: only whitespace may follow.
    Closed,
    Ended,
}

impl Elements {
    fn new(line: usize) -> Self {
        Elements {
            line,
            index: 0,
            state: ArrayState::Opening,
        }
    }

    /// Consumes whitespace and separators up to the next element; tells
    /// whether one follows (false at the closing `]` or the end).
    fn seek_element(&mut self, reader: &mut impl BufRead) -> std::io::Result<bool> {
        loop {
            let buf = reader.fill_buf()?;
            let Some(&byte) = buf.first() else {
                return Ok(false);
            };
            match byte {
                b'\n' => self.line += 1,
                b',' | b' ' | b'\t' | b'\r' => {}
                b'[' if self.state == ArrayState::Opening => self.state = ArrayState::Inside,
                b']' => {
                    reader.consume(1);
                    self.state = ArrayState::Closed;
                    return Ok(false);
                }
                _ => return Ok(true),
            }
            reader.consume(1);
        }
    }

    /// Appends one element's bytes to `out` (all of them, unless it grows
    /// past `limit`); tells whether it fitted.
    fn element(
        &mut self,
        reader: &mut impl BufRead,
        out: &mut Vec<u8>,
        limit: u64,
    ) -> std::io::Result<bool> {
        let start = out.len();
        let mut fits = true;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            // Where the element ends in this buffer, if it does: after a
            // closing bracket back at depth 0, or before a separator that
            // ends a bare value.
            let mut end = None;
            for (at, &byte) in buf.iter().enumerate() {
                if byte == b'\n' {
                    self.line += 1;
                }
                if in_string {
                    match byte {
                        _ if escaped => escaped = false,
                        b'\\' => escaped = true,
                        b'"' => in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 1 => depth -= 1,
                    b'}' | b']' if depth == 1 => {
                        end = Some(at + 1);
                        break;
                    }
                    b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => {
                        if byte == b'\n' {
                            self.line -= 1;
                        }
                        end = Some(at);
                        break;
                    }
                    _ => {}
                }
            }
            // A stray closing bracket where an element should start is taken
            // as that (malformed) element, so reading moves on.
            let used = match end {
                Some(0) if out.len() == start && fits => 1,
                end => end.unwrap_or(buf.len()),
            };
            if fits && (out.len() - start + used) as u64 > limit {
                fits = false;
                out.truncate(start);
            }
            if fits {
                out.extend_from_slice(&buf[..used]);
            }
            reader.consume(used);
            if end.is_some() {
                break;
            }
        }
        Ok(fits)
    }
}

impl Splitter for Elements {
    fn next(
        &mut self,
        reader: &mut impl BufRead,
        out: &mut Vec<u8>,
        limit: u64,
    ) -> std::io::Result<Next> {
        match self.state {
            ArrayState::Ended => return Ok(Next::End),
            ArrayState::Closed => {
                // Whatever follows the array is said once, not parsed.
                let trailing = match skip_whitespace(reader)? {
                    Start::Empty => None,
                    Start::Array(lines) | Start::Lines(lines) => Some(Place {
                        line: self.line + lines - 1,
                        index: None,
                    }),
                };
                self.state = ArrayState::Ended;
                return Ok(match trailing {
                    None => Next::End,
                    Some(place) => {
                        Next::Problem(place, "text after the array's closing ']'; ignored".into())
                    }
                });
            }
            ArrayState::Opening | ArrayState::Inside => {}
        }
        if !self.seek_element(reader)? {
            if self.state != ArrayState::Closed {
                self.state = ArrayState::Ended;
                let place = Place {
                    index: None,
                    ..self.here()
                };
                return Ok(Next::Problem(
                    place,
                    "the array is not closed (no final ']')".into(),
                ));
            }
            return self.next(reader, out, limit);
        }
        let place = self.here();
        self.index += 1;
        Ok(if self.element(reader, out, limit)? {
            Next::Record(place)
        } else {
            Next::TooLong(place)
        })
    }

    fn here(&self) -> Place {
        Place {
            line: self.line,
            index: Some(self.index),
        }
    }
}

fn parse_record(file: &Arc<str>, place: Place, bytes: &[u8]) -> Result<Document, InputProblem> {
    let origin = &**file;
    let text = decode::to_text(bytes, origin, Some(place.line)).map_err(|problem| {
        // The line of a bad byte inside the record, with the item's index.
        let line = problem.line.unwrap_or(place.line);
        Place { line, ..place }.problem(origin, problem.message)
    })?;
    let record: Record = serde_json::from_str(text)
        .map_err(|err| place.problem(origin, format!("malformed JSON: {err}; skipped")))?;
    into_document(record, place.origin(file)).map_err(|message| place.problem(origin, message))
}

/// One document from a parsed JSON object; `at` says where it came from.
pub fn document_from_value(value: serde_json::Value, at: Origin) -> Result<Document, String> {
    let record = serde_json::from_value::<Record>(value)
        .map_err(|err| format!("malformed item: {err}; skipped"))?;
    into_document(record, at)
}

fn into_document(record: Record, at: Origin) -> Result<Document, String> {
    let id = record.id.map(|id| match id {
        Id::Text(id) => id,
        Id::Number(n) => n.to_string(),
    });
    let date = record.date.map(|date| match date {
        Date::Text(text) => text,
        Date::Number(number) => number.to_string(),
    });
    super::Fields {
        id,
        text: record.text,
        title: record.title,
        date,
        url: record.url,
        source: record.source,
    }
    .into_document(at)
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
        assert_eq!(docs[1].origin.to_string(), "in.jsonl:4");
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
    fn reads_an_array() {
        let (docs, problems) = read_str("[\n {\"id\":\"a\",\"text\":\"x\"},\n {\"id\":\"b\"}\n]\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].origin.to_string(), "in.jsonl[0]");
        assert_eq!(problems[0].path, "in.jsonl");
        assert_eq!(problems[0].line, Some(3));
        assert!(
            problems[0].message.starts_with("item [1]: "),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn array_elements_are_cut_by_strings_and_nesting() {
        let input = concat!(
            "\u{feff}[{\"id\":\"a\",\"text\":\"brackets ] } , and \\\" quotes\",\"x\":[1,{\"y\":2}]},",
            "{\"id\":\"b\",\"text\":\"two\\nlines\"},\n",
            " 7 , } ,\n",
            "{\"id\":\"c\",\"text\":\"three\"}]  \n"
        );
        let (docs, problems) = read_str(input);
        let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(docs[0].body, "brackets ] } , and \" quotes");
        assert_eq!(docs[2].origin.to_string(), "in.jsonl[4]");
        let said: Vec<_> = problems.iter().map(|p| (p.line, &p.message[..9])).collect();
        assert_eq!(said, [(Some(2), "item [2]:"), (Some(2), "item [3]:")]);
    }

    #[test]
    fn a_cut_array_keeps_what_came_before() {
        let (docs, problems) = read_str("[{\"id\":\"a\",\"text\":\"x\"},\n{\"id\":\"b\",\"te");
        assert_eq!(docs.len(), 1);
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(2), Some(2)], "{problems:?}");
        assert!(problems.iter().any(|p| p.message.contains("not closed")));
        let (docs, problems) = read_str("[{\"id\":\"a\",\"text\":\"x\"}]\n\n{\"id\":\"b\"}");
        assert_eq!(docs.len(), 1);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(3));
        assert!(problems[0].message.contains("after the array"));
    }

    #[test]
    fn long_records_are_skipped_not_held() {
        let options = ReadOptions {
            max_document_bytes: 40,
            ..ReadOptions::default()
        };
        let long = format!("{{\"id\":\"a\",\"text\":\"{}\"}}", "x".repeat(100));
        let short = "{\"id\":\"b\",\"text\":\"ok\"}";
        for (input, said) in [
            (format!("{long}\n{short}\n"), "longer than 40"),
            (format!("[{long},{short}]"), "item [0]: longer than 40"),
        ] {
            let (docs, problems) = read("f.json", input.as_bytes(), &options);
            let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
            assert_eq!(ids, ["b"]);
            assert_eq!(problems[0].line, Some(1));
            assert!(
                problems[0].message.starts_with(said),
                "{}",
                problems[0].message
            );
        }
    }

    #[test]
    fn a_headline_alone_is_a_document() {
        let (docs, problems) = read_str(concat!(
            "{\"id\":\"h\",\"title\":\"Only a headline\",\"text\":\"\"}\n",
            "{\"id\":\"e\",\"title\":\" \",\"text\":\"\"}\n",
        ));
        assert_eq!(docs.len(), 1);
        assert_eq!(
            (docs[0].title.as_str(), docs[0].body.as_str()),
            ("Only a headline", "")
        );
        assert!(problems[0].message.contains("empty `text`"));
    }
}
