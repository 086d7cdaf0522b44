//! Text preparation shared by every later stage: normalisation, boilerplate
//! removal, tokens and stop words.

pub mod boilerplate;
pub mod normalize;
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

    /// The normalised body.
    pub fn body(&self) -> &str {
        self.text[self.title_len..].trim_start()
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
    let lines: Vec<(String, Vec<String>)> = documents
        .par_iter()
        .map(|doc| {
            let body = doc
                .body
                .lines()
                .map(normalize)
                .filter(|line| !line.is_empty())
                .collect();
            (normalize(&doc.title), body)
        })
        .collect();
    let bodies: Vec<&[String]> = lines.iter().map(|(_, body)| body.as_slice()).collect();
    let keep = boilerplate::find(&bodies, options);
    let boilerplate_lines_dropped = keep.dropped;
    let texts = lines
        .into_par_iter()
        .enumerate()
        .map(|(i, (title, body))| {
            let mut text = title;
            let title_len = text.len();
            for (j, line) in body.iter().enumerate() {
                if keep.keeps(i, j) {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(line);
                }
            }
            PreparedText { text, title_len }
        })
        .collect();
    Prepared {
        texts,
        boilerplate_lines_dropped,
    }
}
