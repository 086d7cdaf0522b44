//! Text preparation shared by every later stage: normalisation, boilerplate
//! removal, tokens and stop words.

pub mod boilerplate;
pub mod names;
pub mod normalize;
pub mod passages;
pub mod script;
pub mod stem;
pub mod stopwords;

pub use normalize::normalize;

use crate::corpus::Document;
use rayon::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

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
pub fn tokens(normalised: &str) -> impl Iterator<Item = &str> {
    normalised.unicode_words()
}

/// Normalises every document and drops boilerplate lines (see
/// [`boilerplate`]), in parallel.
pub fn prepare(documents: &[Document], options: &boilerplate::Options) -> Prepared {
    // One string per document: title, then the normalised body lines, each
    // after a newline (no per-line allocations survive this step).
    let mut texts: Vec<PreparedText> = documents
        .par_iter()
        .map(|doc| {
            let mut text = normalize(&doc.title);
            let title_len = text.len();
            normalize::normalize_lines_into(&doc.body, &mut text);
            PreparedText { text, title_len }
        })
        .collect();
    let keep = {
        let bodies: Vec<&str> = texts.iter().map(body_lines).collect();
        boilerplate::find(&bodies, options)
    };
    texts.par_iter_mut().enumerate().for_each(|(i, prepared)| {
        if keep.drops_any(i) {
            let body = body_lines(prepared);
            let kept: Vec<&str> = body
                .split('\n')
                .enumerate()
                .filter(|&(j, _)| keep.keeps(i, j))
                .map(|(_, line)| line)
                .collect();
            let mut text = prepared.title().to_owned();
            for line in kept {
                text.push('\n');
                text.push_str(line);
            }
            prepared.text = text;
        }
        // Lines join with single spaces; a newline and a space are both one
        // ASCII byte, so this rewrites in place.
        let mut bytes = std::mem::take(&mut prepared.text).into_bytes();
        for b in &mut bytes {
            if *b == b'\n' {
                *b = b' ';
            }
        }
        if prepared.title_len == 0 && bytes.first() == Some(&b' ') {
            bytes.remove(0);
        }
        prepared.text = String::from_utf8(bytes).expect("only ASCII bytes changed");
    });
    Prepared {
        texts,
        boilerplate_lines_dropped: keep.dropped,
    }
}

/// The newline-separated body lines of a text under preparation.
fn body_lines(prepared: &PreparedText) -> &str {
    prepared.text[prepared.title_len..]
        .strip_prefix('\n')
        .unwrap_or("")
}
