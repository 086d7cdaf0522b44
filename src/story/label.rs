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
use crate::text::words::{is_ascii_word, words};
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
    let is_number: Vec<bool> = wanted
        .iter()
        .map(|term| crate::vector::tfidf::is_number(term))
        .collect();
    let texts = headlines
        .into_iter()
        .take(HEADLINES)
        .map(|headline| (headline.title.as_str(), lead(&headline.body)));
    let found = found_in(&wanted, &is_number, texts, terms);
    chosen(&found, &is_number, terms)
        .into_iter()
        .map(|(i, spelling)| match spelling {
            Some(word) => word.to_owned(),
            None => tfidf.display(candidates[i].0).to_owned(),
        })
        .collect()
}

/// Where each wanted term was first found: in a title, in a body.
struct Found<'h> {
    in_title: Vec<Option<&'h str>>,
    in_body: Vec<Option<&'h str>>,
}

/// The first spelling of each wanted term in the (title, body) texts of
/// the headline documents, most central first, read until the label is
/// settled (see [`settled`]).
fn found_in<'h>(
    wanted: &[&str],
    is_number: &[bool],
    texts: impl IntoIterator<Item = (&'h str, &'h str)>,
    terms: usize,
) -> Found<'h> {
    let mut found = Found {
        in_title: vec![None; wanted.len()],
        in_body: vec![None; wanted.len()],
    };
    let wanted = Wanted::new(wanted);
    for (title, body) in texts {
        if settled(&found, is_number, terms) {
            break;
        }
        keep_first(&mut found.in_title, wanted.spellings(title));
        keep_first(&mut found.in_body, wanted.spellings(body));
    }
    found
}

/// Fills each empty slot with the spelling found for it, if any: the
/// first text to hold a term gives its spelling.
fn keep_first<'h>(slots: &mut [Option<&'h str>], found: Vec<Option<&'h str>>) {
    for (slot, spelling) in slots.iter_mut().zip(found) {
        *slot = slot.or(spelling);
    }
}

/// The label's words, as (candidate, spelling): up to `terms` candidates
/// in order, the body's spelling first (headlines are often in capitals),
/// then the title's, `None` for one found in neither; a number only when
/// a title holds it.
fn chosen<'h>(
    found: &Found<'h>,
    is_number: &[bool],
    terms: usize,
) -> Vec<(usize, Option<&'h str>)> {
    let mut label = Vec::with_capacity(terms);
    for (i, (&title, &body)) in found.in_title.iter().zip(&found.in_body).enumerate() {
        if label.len() == terms {
            break;
        }
        if is_number[i] && title.is_none() {
            continue;
        }
        label.push((i, body.or(title)));
    }
    label
}

/// Whether the search may stop before the next headline: every candidate
/// found in a body, or the first candidates already giving `terms` words
/// that no later headline can change (each found in a body, and a number
/// in a title too: a spelling, once found, stays).
fn settled(found: &Found, is_number: &[bool], terms: usize) -> bool {
    if found.in_body.iter().all(Option::is_some) {
        return true;
    }
    let mut words = 0;
    let pairs = found.in_title.iter().zip(&found.in_body);
    for ((title, body), &number) in pairs.zip(is_number) {
        if words == terms {
            return true;
        }
        if body.is_none() || (number && title.is_none()) {
            return false;
        }
        words += 1;
    }
    words == terms
}

/// The first `BODY_BYTES` of `body`, cut at a character boundary.
fn lead(body: &str) -> &str {
    let mut end = body.len().min(BODY_BYTES);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// The terms a label wants spelt, ready to be searched for in every
/// headline text.
struct Wanted<'w> {
    terms: &'w [&'w str],
    /// Per term, its searcher in lower-cased ASCII text (built once for
    /// all the texts: building took as long as searching); `None` for a
    /// term no ASCII word normalises to (not all letters and digits).
    in_ascii: Vec<Option<memchr::memmem::Finder<'w>>>,
}

impl<'w> Wanted<'w> {
    fn new(terms: &'w [&'w str]) -> Self {
        let in_ascii = terms
            .iter()
            .map(|term| {
                let ascii_word =
                    !term.is_empty() && term.bytes().all(|b| b.is_ascii_alphanumeric());
                ascii_word.then(|| memchr::memmem::Finder::new(term.as_bytes()))
            })
            .collect();
        Wanted { terms, in_ascii }
    }

    /// For each wanted term, the first word of `text` that normalises to
    /// it.
    fn spellings<'t>(&self, text: &'t str) -> Vec<Option<&'t str>> {
        match text.is_ascii() {
            true => self.ascii_spellings(text),
            false => word_spellings(self.terms, text),
        }
    }

    /// [`Self::spellings`] of ASCII text: an ASCII word normalises to its
    /// lower case, so each term is searched for in the lower-cased text,
    /// its first place that is a whole word taken; most of a lead is never
    /// looked at word by word.
    fn ascii_spellings<'t>(&self, text: &'t str) -> Vec<Option<&'t str>> {
        let bytes = text.as_bytes();
        let lower = text.to_ascii_lowercase();
        self.in_ascii
            .iter()
            .map(|finder| {
                let finder = finder.as_ref()?;
                let length = finder.needle().len();
                finder
                    .find_iter(lower.as_bytes())
                    .find(|&at| is_ascii_word(bytes, at, at + length))
                    .map(|at| &text[at..at + length])
            })
            .collect()
    }
}

/// [`Wanted::spellings`], word by word: for any text.
fn word_spellings<'t>(wanted: &[&str], text: &'t str) -> Vec<Option<&'t str>> {
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
            prop_assert_eq!(Wanted::new(&wanted).spellings(&text), expected);
        }

        /// Stopping once the label is settled gives the label that reading
        /// on until every term is found in a body (or the headlines run
        /// out) gives.
        #[test]
        fn a_settled_label_is_the_label_of_reading_on(
            headlines in proptest::collection::vec(
                (
                    proptest::collection::vec("(Ab|AB|ab|Cd|cd|7|12|x)[ .]", 0..4),
                    proptest::collection::vec("(Ab|ab|Cd|cd|ef|7|12|y)[ .]", 0..6),
                ),
                0..4,
            ),
            wanted in proptest::collection::vec("ab|cd|ef|gh|7|12", 1..7),
            terms in 1usize..4,
        ) {
            let texts: Vec<(String, String)> = headlines
                .iter()
                .map(|(title, body)| (title.concat(), body.concat()))
                .collect();
            let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
            let is_number: Vec<bool> =
                wanted.iter().map(|w| crate::vector::tfidf::is_number(w)).collect();
            let pairs = texts.iter().map(|(t, b)| (t.as_str(), b.as_str()));
            let found = found_in(&wanted, &is_number, pairs.clone().take(HEADLINES), terms);
            let mut read_on = Found {
                in_title: vec![None; wanted.len()],
                in_body: vec![None; wanted.len()],
            };
            let searched = Wanted::new(&wanted);
            for (title, body) in pairs.take(HEADLINES) {
                if read_on.in_body.iter().all(Option::is_some) {
                    break;
                }
                keep_first(&mut read_on.in_title, searched.spellings(title));
                keep_first(&mut read_on.in_body, searched.spellings(body));
            }
            prop_assert_eq!(
                chosen(&found, &is_number, terms),
                chosen(&read_on, &is_number, terms)
            );
        }

        /// ASCII text searched term by term gives what reading it word by
        /// word gives, on text dense in the characters that join words.
        #[test]
        fn ascii_spellings_are_those_word_by_word(
            words in proptest::collection::vec("(ab|Ab|AB|a|b1|B1|1|12|x)[ .,'_:;-]", 0..20),
            wanted in proptest::collection::vec("ab|a|b1|1|12|2|c|a b|a_b|", 0..8),
        ) {
            let text = words.concat();
            let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
            prop_assert_eq!(
                Wanted::new(&wanted).ascii_spellings(&text),
                word_spellings(&wanted, &text)
            );
        }
    }

    #[test]
    fn words_keep_their_case_and_letter_forms() {
        let assembly = term(&normalize("الجمعية")).to_owned();
        let wanted = ["kerry", assembly.as_str(), "moscow"];
        let found = Wanted::new(&wanted).spellings("John Kerry visits the الجمعية hall");
        assert_eq!(found, [Some("Kerry"), Some("الجمعية"), None]);
    }

    #[test]
    fn arabic_words_match_their_stem() {
        let word = "والرئيس";
        let stemmed = term(&normalize(word)).to_owned();
        assert_eq!(
            Wanted::new(&[stemmed.as_str()]).spellings(word),
            [Some(word)]
        );
    }

    #[test]
    fn the_lead_is_cut_at_a_character_boundary() {
        let body = "ب".repeat(BODY_BYTES);
        assert!(lead(&body).len() <= BODY_BYTES);
        assert!(lead("short").len() == 5);
    }
}
