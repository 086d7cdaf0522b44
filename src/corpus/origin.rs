//! Where a document was read from: its file, shared by every document read
//! from it, and its place in the file. Shown as `path`, `path:line` or
//! `path[item]`; held without a string per document, since a corpus of a
//! million JSON lines would otherwise spend tens of megabytes on copies of
//! one path.

use crate::error::InputProblem;
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// A document's file and its place in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    file: Arc<str>,
    place: Place,
}

/// A document's place in its file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Place {
    /// The whole file (a text file), or no file at all (a label such as
    /// `generated`).
    #[default]
    Whole,
    /// The line a record starts on (JSON lines; a Parquet row), from 1.
    Line(usize),
    /// An element of a JSON array or an entry of a feed, from 0.
    Item(usize),
}

impl Origin {
    /// A whole file, or a label for documents read from no file.
    pub fn whole(file: impl Into<Arc<str>>) -> Origin {
        Origin {
            file: file.into(),
            place: Place::Whole,
        }
    }

    /// The record starting on `line` (from 1) of `file`.
    pub fn line(file: &Arc<str>, line: usize) -> Origin {
        Origin {
            file: Arc::clone(file),
            place: Place::Line(line),
        }
    }

    /// Element `item` (from 0) of the array or feed in `file`.
    pub fn item(file: &Arc<str>, item: usize) -> Origin {
        Origin {
            file: Arc::clone(file),
            place: Place::Item(item),
        }
    }

    /// The file (or label).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The line a record starts on, for records of JSON lines and rows.
    pub fn line_number(&self) -> Option<usize> {
        match self.place {
            Place::Line(line) => Some(line),
            _ => None,
        }
    }

    /// A problem with the document read here: at its file and line, or,
    /// for an array's item or a feed's entry, at its whole origin.
    pub fn problem(&self, message: impl Into<String>) -> InputProblem {
        match self.line_number() {
            Some(line) => InputProblem::line(self.file(), line, message),
            None => InputProblem::file(self.to_string(), message),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Place::Whole => f.write_str(&self.file),
            Place::Line(line) => write!(f, "{}:{line}", self.file),
            Place::Item(item) => write!(f, "{}[{item}]", self.file),
        }
    }
}

/// Serialised as it is shown.
impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_as_path_line_or_item() {
        let file: Arc<str> = "in.jsonl".into();
        assert_eq!(Origin::whole("a.txt").to_string(), "a.txt");
        assert_eq!(Origin::line(&file, 4).to_string(), "in.jsonl:4");
        assert_eq!(Origin::item(&file, 0).to_string(), "in.jsonl[0]");
        assert_eq!(
            serde_json::to_string(&Origin::line(&file, 12)).unwrap(),
            "\"in.jsonl:12\""
        );
    }

    #[test]
    fn one_file_is_shared_by_its_documents() {
        let file: Arc<str> = "in.jsonl".into();
        let (a, b) = (Origin::line(&file, 1), Origin::item(&file, 2));
        assert!(Arc::ptr_eq(&a.file, &b.file));
        assert_eq!((a.file(), a.line_number()), ("in.jsonl", Some(1)));
        assert_eq!((b.file(), b.line_number()), ("in.jsonl", None));
    }
}
