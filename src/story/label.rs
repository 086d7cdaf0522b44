//! Labels: the heaviest terms of a story's (or thread's) centroid, written
//! as the text writes them.
//!
//! Terms are normalised (lower case, Arabic letter forms folded, light
//! stems), which is right for comparing and wrong for reading: الجمعيه for
//! الجمعية, kerry for Kerry. So each term is shown as the first word of the
//! headline documents (the most central: each one's title, then the start
//! of its body) that normalises to it, and in the corpus's most common
//! normalised spelling only when they do not hold it.
//!
//! A bare number names an event only now and then ("Flight 370"), and the
//! tokeniser cuts long numbers into groups (`6,808,100` gives `808` and
//! `100`): a number enters a label only when a headline holds it as a
//! word of its own.

use crate::corpus::Document;
use crate::text::{normalize, term};
use crate::vector::{SparseVector, TfIdf};
use unicode_segmentation::UnicodeSegmentation;

/// Bytes of a headline document's body searched for spellings: the lead,
/// where weighted terms mostly stand.
const BODY_BYTES: usize = 1000;

/// Headline documents searched for spellings, most central first.
pub const HEADLINES: usize = 3;

/// The label of `centroid`: up to `terms` terms, heaviest first, each in
/// the spelling of the first of `headlines` (most central first; the first
/// [`HEADLINES`] are read) that holds the term.
pub fn label<'a>(
    centroid: &SparseVector,
    headlines: impl IntoIterator<Item = &'a Document>,
    tfidf: &TfIdf,
    terms: usize,
) -> Vec<String> {
    // More candidates than needed, since numbers may be passed over.
    let candidates = centroid.top_terms(terms * 2);
    let wanted: Vec<&str> = candidates
        .iter()
        .map(|&(t, _)| tfidf.vocabulary[t as usize].as_str())
        .collect();
    // The body's spelling first: headlines are often in capitals.
    let mut in_title: Vec<Option<&str>> = vec![None; wanted.len()];
    let mut in_body: Vec<Option<&str>> = vec![None; wanted.len()];
    for headline in headlines.into_iter().take(HEADLINES) {
        if in_body.iter().all(Option::is_some) {
            break;
        }
        let titles = spellings(&wanted, &headline.title);
        let bodies = spellings(&wanted, lead(&headline.body));
        for (slot, found) in in_title.iter_mut().zip(titles) {
            *slot = slot.or(found);
        }
        for (slot, found) in in_body.iter_mut().zip(bodies) {
            *slot = slot.or(found);
        }
    }
    let mut label = Vec::with_capacity(terms);
    for (i, &(id, _)) in candidates.iter().enumerate() {
        if label.len() == terms {
            break;
        }
        let found = in_body[i].or(in_title[i]);
        let is_number = crate::vector::tfidf::is_number(wanted[i]);
        match found {
            _ if is_number && in_title[i].is_none() => continue,
            Some(word) => label.push(word.to_owned()),
            None => label.push(tfidf.display(id).to_owned()),
        }
    }
    label
}

/// The first `BODY_BYTES` of `body`, cut at a character boundary.
fn lead(body: &str) -> &str {
    let mut end = body.len().min(BODY_BYTES);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// For each wanted term, the first word of `text` that normalises to it.
fn spellings<'t>(wanted: &[&str], text: &'t str) -> Vec<Option<&'t str>> {
    let mut found: Vec<Option<&str>> = vec![None; wanted.len()];
    let mut missing = wanted.len();
    // The byte lengths of the wanted terms (those under 64): an ASCII word
    // of no such length matches none of them, and most words are skipped
    // so without comparing them with each term.
    let lengths = wanted
        .iter()
        .filter(|want| want.len() < 64)
        .fold(0u64, |mask, want| mask | 1 << want.len());
    for word in text.unicode_words() {
        if missing == 0 {
            break;
        }
        // ASCII words normalise to their lower case: no allocation.
        let normalised = if word.is_ascii() {
            if word.len() < 64 && lengths & 1 << word.len() == 0 {
                continue;
            }
            None
        } else {
            Some(normalize(word))
        };
        for (slot, want) in found.iter_mut().zip(wanted) {
            if slot.is_some() {
                continue;
            }
            let matches = match &normalised {
                None => {
                    want.len() == word.len()
                        && word.bytes().all(|b| b.is_ascii_alphanumeric())
                        && word.eq_ignore_ascii_case(want)
                }
                Some(n) => term(n) == *want,
            };
            if matches {
                *slot = Some(word);
                missing -= 1;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_case_and_letter_forms() {
        let assembly = term(&normalize("الجمعية")).to_owned();
        let wanted = ["kerry", assembly.as_str(), "moscow"];
        let found = spellings(&wanted, "John Kerry visits the الجمعية hall");
        assert_eq!(found, [Some("Kerry"), Some("الجمعية"), None]);
    }

    #[test]
    fn arabic_words_match_their_stem() {
        let word = "والرئيس";
        let stemmed = term(&normalize(word)).to_owned();
        assert_eq!(spellings(&[stemmed.as_str()], word), [Some(word)]);
    }

    #[test]
    fn the_lead_is_cut_at_a_character_boundary() {
        let body = "ب".repeat(BODY_BYTES);
        assert!(lead(&body).len() <= BODY_BYTES);
        assert!(lead("short").len() == 5);
    }
}
