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
use crate::text::words::words;
use crate::text::{normalize, term};
use crate::vector::{SparseVector, TfIdf};

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
    // For each byte length under 64, the wanted terms (up to 64 of them)
    // of that length as bits: an ASCII word is compared only with the
    // terms of its length not found yet, most words with none (labels
    // read the leads of thousands of headlines).
    let indexed = wanted.len() <= 64;
    let mut of_length = [0u64; 64];
    if indexed {
        for (i, want) in wanted.iter().enumerate() {
            if let Some(mask) = of_length.get_mut(want.len()) {
                *mask |= 1 << i;
            }
        }
    }
    let mut unfound: u64 = if wanted.len() >= 64 {
        u64::MAX
    } else {
        (1 << wanted.len()) - 1
    };
    for word in words(text) {
        if missing == 0 {
            break;
        }
        let ascii = word.is_ascii();
        if ascii && indexed && word.len() < 64 {
            let mut candidates = of_length[word.len()] & unfound;
            if candidates == 0 || !word.bytes().all(|b| b.is_ascii_alphanumeric()) {
                continue;
            }
            while candidates != 0 {
                let i = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                // ASCII words normalise to their lower case.
                if word.eq_ignore_ascii_case(wanted[i]) {
                    found[i] = Some(word);
                    unfound &= !(1 << i);
                    missing -= 1;
                }
            }
            continue;
        }
        // Any other word: normalised (unless ASCII) and compared with
        // every term not found yet.
        let normalised = (!ascii).then(|| normalize(word));
        for (i, (slot, want)) in found.iter_mut().zip(wanted).enumerate() {
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
                if i < 64 {
                    unfound &= !(1 << i);
                }
                missing -= 1;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    proptest! {
        /// The first word of the text that normalises to each wanted term,
        /// as a plain scan of every word against every term finds it.
        #[test]
        fn spellings_are_the_first_matching_words(
            words in proptest::collection::vec("(ab|Ab|AB|a|A|b1|B1|1|بت|ب)[ .,'_]", 0..20),
            wanted in proptest::collection::vec("ab|a|b1|1|ب|بت|c", 0..8),
        ) {
            // Few words, in several cases: repeats are the rule.
            let text = words.concat();
            let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
            let expected: Vec<Option<&str>> = wanted
                .iter()
                .map(|want| {
                    text.unicode_words().find(|word| {
                        let normalised = normalize(word);
                        let all_alnum = word.chars().all(char::is_alphanumeric);
                        if word.is_ascii() {
                            all_alnum && normalised == *want
                        } else {
                            term(&normalised) == *want
                        }
                    })
                })
                .collect();
            prop_assert_eq!(spellings(&wanted, &text), expected);
        }
    }

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
