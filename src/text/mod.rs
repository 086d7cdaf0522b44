//! Text preparation shared by every later stage: normalisation, boilerplate
//! removal, tokens and stop words.

pub mod boilerplate;
pub(crate) mod names;
pub(crate) mod normalize;
pub mod passages;
pub(crate) mod script;
pub(crate) mod stem;
pub mod stopwords;
pub(crate) mod title_suffix;
pub(crate) mod words;

pub use normalize::normalize;

use crate::corpus::Document;
use rayon::prelude::*;

/// A document's text in normalised form, boilerplate removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreparedText {
    /// Title then body, normalised, lines joined by single spaces.
    pub text: String,
    /// Byte length of the title at the start of `text`.
    pub title_len: usize,
}

impl PreparedText {
    /// The normalised title.
    pub fn title(&self) -> &str {
        &self.text[..self.title_len]
    }
}

/// The prepared corpus and what boilerplate removal did.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// One per document, in corpus order.
    pub texts: Vec<PreparedText>,
    /// Body lines dropped as boilerplate, over all documents.
    pub boilerplate_lines_dropped: usize,
    /// Hashes of the boilerplate lines, sorted (for [`prepare_known`]).
    pub boilerplate_lines: Vec<u64>,
}

/// The term a content token counts as: Arabic tokens by their light stem,
/// others as they are.
pub fn term(token: &str) -> &str {
    match script::Script::of(token) {
        script::Script::Arabic => stem::arabic_light(token),
        _ => token,
    }
}

/// Word tokens of normalised text (Unicode word boundaries, so scripts
/// written without spaces still split into words or characters).
pub fn tokens(normalised: &str) -> Tokens<'_> {
    // Folded ASCII text holds only lower-case letters, digits, spaces and
    // newlines, whose word boundaries are exactly the spaces and newlines:
    // split there, many times faster than the general rules.
    if is_folded_ascii(normalised) {
        Tokens::FoldedAscii(normalised.split_ascii_whitespace())
    } else {
        Tokens::Words(words::words(normalised))
    }
}

/// Whether `text` holds only lower-case ASCII letters, digits, spaces and
/// newlines. Tested 64 bytes at a time without a branch per byte, which
/// the compiler turns into vector instructions (a byte at a time, the test
/// took as long as the splitting).
fn is_folded_ascii(text: &str) -> bool {
    text.as_bytes().chunks(64).all(|chunk| {
        chunk.iter().fold(true, |folded, &b| {
            folded & (b.is_ascii_lowercase() | b.is_ascii_digit() | (b == b' ') | (b == b'\n'))
        })
    })
}

/// The iterator of [`tokens`].
pub enum Tokens<'a> {
    /// Folded ASCII text, split at white space.
    FoldedAscii(std::str::SplitAsciiWhitespace<'a>),
    /// Any other text, split at Unicode word boundaries.
    Words(words::Words<'a>),
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Tokens::FoldedAscii(words) => words.next(),
            Tokens::Words(words) => words.next(),
        }
    }
}

/// Normalises every document and drops boilerplate lines (see
/// [`boilerplate`]), in parallel.
pub fn prepare(documents: &[Document], options: &boilerplate::Options) -> Prepared {
    let lengths = title_suffix::kept_lengths(&titles(documents));
    prepare_with(normalised_all(documents, &lengths), |bodies| {
        boilerplate::find(bodies, options)
    })
}

/// [`prepare`], emptying each document's body as soon as its normalised
/// form is made (keeping only its [`Document::headline`] when it has no
/// title): for callers that never show the texts again, whose peak
/// memory then holds one copy of the corpus instead of two.
pub fn prepare_releasing_bodies(
    documents: &mut [Document],
    options: &boilerplate::Options,
) -> Prepared {
    let lengths = title_suffix::kept_lengths(&titles(documents));
    let mut texts = Vec::with_capacity(documents.len());
    for (documents, lengths) in documents
        .chunks_mut(RELEASE_CHUNK)
        .zip(lengths.chunks(RELEASE_CHUNK))
    {
        texts.par_extend(
            documents
                .par_iter()
                .zip(lengths)
                .map(|(doc, &length)| normalised(doc, length)),
        );
        // Freed on one thread: workers freeing strings that other threads
        // allocated queue on the allocator's locks (a million documents:
        // 1.4 s more than one thread takes).
        // A document without a title is shown by its body's first line:
        // that much stays.
        for doc in documents {
            doc.body = if doc.title.trim().is_empty() {
                doc.headline().to_owned()
            } else {
                String::new()
            };
        }
    }
    prepare_with(texts, |bodies| boilerplate::find(bodies, options))
}

/// Normalises documents and drops the boilerplate lines `known` (hashes,
/// sorted, as [`Prepared::boilerplate_lines`] gives them), found before
/// among other documents.
pub fn prepare_known(documents: &[Document], known: &[u64]) -> Prepared {
    let lengths = title_suffix::kept_lengths(&titles(documents));
    prepare_with(normalised_all(documents, &lengths), |bodies| {
        boilerplate::drop_known(bodies, known)
    })
}

/// Normalises documents with both corpus-wide findings known: the
/// boilerplate lines and the site names ending titles (hashes, sorted),
/// counted over a whole corpus by parts (see [`crate::stage`]).
pub(crate) fn prepare_with_known_parts(
    documents: &[Document],
    lines: &[u64],
    site_tails: &[u64],
) -> Prepared {
    let lengths = title_suffix::kept_lengths_known(&titles(documents), site_tails);
    prepare_with(normalised_all(documents, &lengths), |bodies| {
        boilerplate::drop_known(bodies, lines)
    })
}

/// The normalised body of a document: its lines, separated by `\n`, as
/// boilerplate removal sees them.
pub(crate) fn normalised_body(document: &Document) -> String {
    let mut text = String::new();
    normalize::normalize_lines_into(&document.body, &mut text);
    match text.strip_prefix('\n') {
        Some(body) => body.to_owned(),
        None => String::new(),
    }
}

fn titles(documents: &[Document]) -> Vec<&str> {
    documents.iter().map(|d| d.title.as_str()).collect()
}

/// Documents normalised between two releases of their bodies.
const RELEASE_CHUNK: usize = 16 * 1024;

/// One string per document: its title cut to `title_length` (without a
/// site's name at its end), then its normalised body lines, each after a
/// newline (no per-line allocations survive this step).
fn normalised(document: &Document, title_length: usize) -> PreparedText {
    thread_local! {
        /// Where a text is normalised before it is copied out at its own
        /// length: normalising into the text itself leaves it the raw
        /// text's capacity (140 MB of slack over a generated million).
        static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.clear();
        scratch.push_str(&normalize(&document.title[..title_length]));
        let title_len = scratch.len();
        normalize::normalize_lines_into(&document.body, scratch);
        PreparedText {
            text: scratch.as_str().to_owned(),
            title_len,
        }
    })
}

/// [`normalised`] for every document, in parallel.
fn normalised_all(documents: &[Document], title_lengths: &[usize]) -> Vec<PreparedText> {
    documents
        .par_iter()
        .zip(title_lengths)
        .map(|(doc, &length)| normalised(doc, length))
        .collect()
}

/// Drops the lines `boilerplate` picks among the bodies of `texts` (as
/// [`normalised`] makes them) and joins the rest by spaces.
fn prepare_with(
    mut texts: Vec<PreparedText>,
    boilerplate: impl FnOnce(&[&str]) -> boilerplate::Kept,
) -> Prepared {
    let keep = {
        let bodies: Vec<&str> = texts.iter().map(body_lines).collect();
        boilerplate(&bodies)
    };
    texts.par_iter_mut().enumerate().for_each(|(i, prepared)| {
        // Lines are dropped and joined in place: each body line follows its
        // newline, kept ones move forward over dropped ones, and every
        // newline becomes a space (both one ASCII byte, so the text stays
        // UTF-8 and no document is copied).
        let mut bytes = std::mem::take(&mut prepared.text).into_bytes();
        if keep.drops_any(i) {
            let mut write = prepared.title_len;
            let mut read = prepared.title_len;
            let mut line = 0;
            while read < bytes.len() {
                let end =
                    memchr::memchr(b'\n', &bytes[read + 1..]).map_or(bytes.len(), |p| read + 1 + p);
                if keep.keeps(i, line) {
                    bytes.copy_within(read..end, write);
                    write += end - read;
                }
                read = end;
                line += 1;
            }
            bytes.truncate(write);
        }
        // Every byte stored, changed or not, so that the loop runs on
        // vectors (a store only where a newline stands kept it a byte at a
        // time: 3 % of Reuters' `dedup`).
        for b in &mut bytes {
            *b = if *b == b'\n' { b' ' } else { *b };
        }
        if prepared.title_len == 0 && bytes.first() == Some(&b' ') {
            bytes.remove(0);
        }
        prepared.text = String::from_utf8(bytes).expect("only whole lines and ASCII bytes changed");
    });
    Prepared {
        texts,
        boilerplate_lines_dropped: keep.dropped,
        boilerplate_lines: keep.lines,
    }
}

/// The newline-separated body lines of a text under preparation.
fn body_lines(prepared: &PreparedText) -> &str {
    prepared.text[prepared.title_len..]
        .strip_prefix('\n')
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    #[test]
    fn folded_ascii_is_told_in_every_chunk() {
        let folded = "abc 123\n".repeat(20);
        assert!(is_folded_ascii(&folded) && is_folded_ascii(""));
        for at in [0, 63, 64, 100, folded.len() - 1] {
            for odd in ["A", "é", ".", "\t"] {
                let mut text = folded.clone();
                text.replace_range(at..at + 1, odd);
                assert!(!is_folded_ascii(&text), "{odd:?} at {at}");
            }
        }
    }

    proptest! {
        /// Splitting folded ASCII text at white space gives its Unicode
        /// words; text with anything else takes the Unicode rules.
        #[test]
        fn folded_ascii_tokens_are_the_unicode_words(text in "[a-z0-9 \n]{0,60}", other in "[a-z0-9 .,'_:A-Zé]{0,30}") {
            let words: Vec<&str> = text.unicode_words().collect();
            prop_assert_eq!(tokens(&text).collect::<Vec<_>>(), words);
            let mixed = format!("{text}{other}");
            let words: Vec<&str> = mixed.unicode_words().collect();
            prop_assert_eq!(tokens(&mixed).collect::<Vec<_>>(), words);
        }
    }

    #[test]
    fn boilerplate_lines_are_dropped_and_the_rest_joined_by_spaces() {
        let bodies = [
            "Share this story\nQuake hits the island\n\nFive hurt\nSubscribe now",
            "Share this story\nVote count begins in the capital\nSubscribe now",
            "Share this story\nThe harvest is late this year\nSubscribe now",
        ];
        let titles = ["Quake", "", "Harvest"];
        let documents: Vec<Document> = bodies
            .iter()
            .zip(titles)
            .enumerate()
            .map(|(i, (body, title))| Document::new(&i.to_string(), title, body))
            .collect();
        let prepared = prepare(&documents, &boilerplate::Options::default());
        assert_eq!(prepared.boilerplate_lines_dropped, 6);
        let texts: Vec<&str> = prepared.texts.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "quake quake hits the island five hurt",
                "vote count begins in the capital",
                "harvest the harvest is late this year",
            ]
        );
        assert_eq!(prepared.texts[0].title(), "quake");
        assert_eq!(prepared.texts[1].title(), "");
    }
}
