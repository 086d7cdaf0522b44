//! RSS and Atom feeds (`.rss`, `.atom`, `.xml`), read with feed-rs: one
//! document per entry. The id is the entry's id (feed-rs makes a stable one
//! when the feed has none), the text its content or else its summary, as
//! plain text; the date is the published (else updated) time, the url the
//! first link, the source the feed's title.

use super::{Document, Origin, ReadOptions, decode, html};
use crate::error::InputProblem;
use std::io::Read;
use std::sync::Arc;

/// Reads the entries of one feed.
pub fn read(
    origin: &str,
    reader: impl Read,
    options: &ReadOptions,
) -> (Vec<Document>, Vec<InputProblem>) {
    let bytes = match decode::read_limited(reader, origin, &options.for_many_documents()) {
        Ok(bytes) => bytes,
        Err(problem) => return (Vec::new(), vec![problem]),
    };
    let feed = match feed_rs::parser::parse(&bytes[..]) {
        Ok(feed) => feed,
        Err(err) => {
            let problem = InputProblem::file(origin, format!("malformed feed: {err}; skipped"));
            return (Vec::new(), vec![problem]);
        }
    };
    let source = feed
        .title
        .map(|t| html::to_text(&t.content))
        .filter(|t| !t.is_empty());
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    let file: Arc<str> = origin.into();
    for (index, entry) in feed.entries.into_iter().enumerate() {
        let at = Origin::item(&file, index);
        let id = entry.id.trim().to_owned();
        let body = entry
            .content
            .and_then(|c| c.body)
            .or(entry.summary.map(|s| s.content))
            .map(|text| html::to_text(&text))
            .unwrap_or_default();
        if id.is_empty() {
            problems.push(at.problem("entry without an id; skipped"));
            continue;
        }
        if body.is_empty() {
            let message = format!("entry '{id}' has no text; skipped");
            problems.push(at.problem(message));
            continue;
        }
        let title = entry
            .title
            .map(|t| html::to_text(&t.content))
            .unwrap_or_default();
        let date = entry
            .published
            .or(entry.updated)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        docs.push(
            Document {
                source: source.clone(),
                url: entry.links.first().map(|l| l.href.clone()),
                origin: at,
                ..Document::new(&id, &title, &body)
            }
            .dated(date),
        );
    }
    (docs, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_items_as_documents() {
        let rss = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title>
<item><guid>a1</guid><title>Putin meets Kerry</title><link>https://example.org/a1</link>
<pubDate>Thu, 14 Jul 2016 10:00:00 GMT</pubDate>
<description>&lt;p&gt;The Kremlin said &amp;amp; more.&lt;/p&gt;</description></item>
<item><guid>a2</guid><title>Empty</title></item>
</channel></rss>"#;
        let (docs, problems) = read("wire.rss", rss.as_bytes(), &ReadOptions::default());
        assert_eq!(docs.len(), 1);
        let doc = &docs[0];
        assert_eq!(doc.id, "a1");
        assert_eq!(doc.title, "Putin meets Kerry");
        assert_eq!(doc.body, "The Kremlin said & more.");
        assert_eq!(doc.date.as_deref(), Some("2016-07-14T10:00:00Z"));
        assert_eq!(doc.url.as_deref(), Some("https://example.org/a1"));
        assert_eq!(doc.source.as_deref(), Some("Wire"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "wire.rss[1]");
    }

    #[test]
    fn malformed_feed_is_one_problem() {
        let (docs, problems) = read("bad.xml", &b"<rss><channel>"[..], &ReadOptions::default());
        assert!(docs.is_empty());
        assert!(problems[0].message.starts_with("malformed feed"));
    }
}
