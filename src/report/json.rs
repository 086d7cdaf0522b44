//! JSON reports with their long lists serialised on every core.
//!
//! A report of a million documents is about a gigabyte of JSON; written by
//! one thread it took seconds after the analysis was done. Here the
//! elements of a long list are serialised a chunk at a time in parallel,
//! and the chunks are written in order, a bounded wave at a time (memory
//! holds one wave's text, never the whole report). The bytes are exactly
//! what serde_json writes for the same value: [`PrettyObject`] serialises
//! each value with serde_json's pretty printer and indents it to its
//! depth, which is safe because every newline byte in its output is
//! structural (JSON strings escape their newlines); [`write_lines`] writes
//! JSON lines.

use rayon::prelude::*;
use serde::Serialize;
use std::io::{self, Write};

/// The indentation of one level, as serde_json's pretty printer writes it.
const INDENT: &[u8] = b"  ";

/// Elements serialised by one task.
const CHUNK: usize = 512;
/// Elements serialised before their text is written out.
const WAVE: usize = 64 * CHUNK;

/// A JSON object being written, pretty-printed, one field at a time.
pub(crate) struct PrettyObject<'w> {
    out: &'w mut dyn Write,
    empty: bool,
}

impl<'w> PrettyObject<'w> {
    /// Opens an object at the top level.
    pub fn begin(out: &'w mut dyn Write) -> io::Result<Self> {
        out.write_all(b"{")?;
        Ok(PrettyObject { out, empty: true })
    }

    /// Writes the field's key, after the separator and indentation.
    fn key(&mut self, key: &str) -> io::Result<()> {
        let separator: &[u8] = if self.empty { b"\n" } else { b",\n" };
        self.empty = false;
        self.out.write_all(separator)?;
        self.out.write_all(INDENT)?;
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.write_all(b": ")
    }

    /// Writes a field.
    pub fn field(&mut self, key: &str, value: &impl Serialize) -> io::Result<()> {
        self.key(key)?;
        let mut text = Vec::new();
        append_indented(value, 1, &mut text)?;
        self.out.write_all(&text)
    }

    /// Writes a field whose value is an array, its elements serialised in
    /// parallel.
    pub fn array<T: Serialize + Sync>(&mut self, key: &str, items: &[T]) -> io::Result<()> {
        self.key(key)?;
        if items.is_empty() {
            return self.out.write_all(b"[]");
        }
        self.out.write_all(b"[")?;
        in_parallel(items, self.out, |index, item, text| {
            text.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
            text.extend_from_slice(INDENT);
            text.extend_from_slice(INDENT);
            append_indented(item, 2, text)
        })?;
        self.out.write_all(b"\n")?;
        self.out.write_all(INDENT)?;
        self.out.write_all(b"]")
    }

    /// Closes the object.
    pub fn end(self) -> io::Result<()> {
        if self.empty {
            self.out.write_all(b"}")
        } else {
            self.out.write_all(b"\n}")
        }
    }
}

/// Writes each item as one line of JSON.
pub(crate) fn write_lines<T: Serialize + Sync>(items: &[T], out: &mut dyn Write) -> io::Result<()> {
    in_parallel(items, out, |_, item, text| {
        serde_json::to_writer(&mut *text, item)?;
        text.push(b'\n');
        Ok(())
    })
}

/// Writes the text `append(index, item, text)` makes of each item, in
/// order, made in parallel a chunk of items at a time.
fn in_parallel<T: Sync>(
    items: &[T],
    out: &mut dyn Write,
    append: impl Fn(usize, &T, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    for (w, wave) in items.chunks(WAVE).enumerate() {
        let texts: Vec<io::Result<Vec<u8>>> = wave
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut text = Vec::new();
                let start = w * WAVE + c * CHUNK;
                for (i, item) in chunk.iter().enumerate() {
                    append(start + i, item, &mut text)?;
                }
                Ok(text)
            })
            .collect();
        for text in texts {
            out.write_all(&text?)?;
        }
    }
    Ok(())
}

/// Appends `value` pretty-printed as it stands `depth` levels deep: every
/// line after its first indented by `depth` levels.
fn append_indented(value: &impl Serialize, depth: usize, out: &mut Vec<u8>) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(value)?;
    let mut rest = text.as_slice();
    while let Some(newline) = memchr::memchr(b'\n', rest) {
        out.extend_from_slice(&rest[..=newline]);
        for _ in 0..depth {
            out.extend_from_slice(INDENT);
        }
        rest = &rest[newline + 1..];
    }
    out.extend_from_slice(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Inner {
        name: String,
        tags: Vec<String>,
        empty: Vec<u32>,
        nested: Option<Box<Inner>>,
        score: f64,
    }

    #[derive(Serialize)]
    struct Outer {
        schema: &'static str,
        summary: Inner,
        items: Vec<Inner>,
        none: Vec<Inner>,
    }

    fn inner(i: usize) -> Inner {
        Inner {
            name: format!("line one\nline \"two\" {i} \u{1b} الجمعية"),
            tags: (0..i % 3).map(|t| format!("t{t}")).collect(),
            empty: Vec::new(),
            nested: i.is_multiple_of(2).then(|| Box::new(inner(i + 1))),
            score: i as f64 / 7.0,
        }
    }

    fn written(outer: &Outer) -> String {
        let mut out = Vec::new();
        let mut object = PrettyObject::begin(&mut out).unwrap();
        object.field("schema", &outer.schema).unwrap();
        object.field("summary", &outer.summary).unwrap();
        object.array("items", &outer.items).unwrap();
        object.array("none", &outer.none).unwrap();
        object.end().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_what_serde_json_writes() {
        // Past a wave, so chunk and wave boundaries are crossed.
        for n in [0, 1, 2, CHUNK + 1, WAVE + 3] {
            let outer = Outer {
                schema: "x/v1",
                summary: inner(0),
                items: (0..n).map(inner).collect(),
                none: Vec::new(),
            };
            assert_eq!(
                written(&outer),
                serde_json::to_string_pretty(&outer).unwrap(),
                "{n} items"
            );
        }
    }

    #[test]
    fn lines_are_what_serde_json_writes() {
        let items: Vec<Inner> = (0..CHUNK + 5).map(inner).collect();
        let mut out = Vec::new();
        write_lines(&items, &mut out).unwrap();
        let expected: String = items
            .iter()
            .map(|item| serde_json::to_string(item).unwrap() + "\n")
            .collect();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn an_object_without_fields_is_empty_braces() {
        let mut out = Vec::new();
        PrettyObject::begin(&mut out).unwrap().end().unwrap();
        assert_eq!(out, b"{}");
    }
}
