//! A text or Markdown file as one document: the first non-empty line is the
//! title, the rest the body, the file stem the id.

use super::{Document, Origin, decode};
use crate::error::InputProblem;

/// Parses one text file's bytes.
pub fn parse(origin: &str, id: &str, bytes: &[u8]) -> Result<Document, InputProblem> {
    let text = decode::to_text(bytes, origin, None)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(InputProblem::file(origin, "empty file; skipped"));
    }
    let (title, body) = match text.split_once('\n') {
        Some((title, body)) => (title.trim(), body.trim()),
        None => (text, ""),
    };
    // Markdown headings carry their level in front of the title.
    let title = title.trim_start_matches('#').trim();
    Ok(Document {
        origin: Origin::whole(origin),
        ..Document::new(id, title, body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_non_empty_line_is_the_title() {
        let doc = parse(
            "d/x.txt",
            "x",
            b"\n\n  Headline here \n\nBody one.\nBody two.\n",
        )
        .unwrap();
        assert_eq!(doc.title, "Headline here");
        assert_eq!(doc.body, "Body one.\nBody two.");
    }

    #[test]
    fn markdown_heading_marks_are_not_title() {
        let doc = parse("x.md", "x", b"## A story\ntext").unwrap();
        assert_eq!(doc.title, "A story");
    }

    #[test]
    fn whitespace_only_is_empty() {
        let err = parse("x.txt", "x", b" \n\t\n").unwrap_err();
        assert_eq!(err.to_string(), "x.txt: empty file; skipped");
    }
}
