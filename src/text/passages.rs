//! Passages two texts share: maximal runs of the same words (compared in
//! normalised form, so vowel marks, case and punctuation do not break a
//! run), located in the original texts so they can be shown and
//! highlighted. Used by `explain` and the HTML report.

use super::normalize;
use ahash::AHashMap;
use std::ops::Range;

/// Shortest passage worth showing, in words: shorter runs of shared words
/// are mostly stock phrases.
pub const MIN_WORDS: usize = 6;

/// A passage both texts hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    /// Byte range in the first text.
    pub a: Range<usize>,
    /// Byte range in the second text.
    pub b: Range<usize>,
    /// Length in words.
    pub words: usize,
}

/// Words of a text with their byte ranges and normalised forms; words that
/// normalise to nothing (punctuation alone) are left out.
fn words(text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                let key = normalize(&text[s..i]);
                if !key.is_empty() {
                    out.push((s..i, key));
                }
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

/// The passages of at least `min_words` words that `a` and `b` share,
/// longest first (then in order of `a`); passages do not overlap in `a`.
pub fn shared(a: &str, b: &str, min_words: usize) -> Vec<Passage> {
    let min_words = min_words.max(1);
    let (wa, wb) = (words(a), words(b));
    if wa.len() < min_words || wb.len() < min_words {
        return Vec::new();
    }
    let key_b: Vec<&str> = wb.iter().map(|w| w.1.as_str()).collect();
    let key_a: Vec<&str> = wa.iter().map(|w| w.1.as_str()).collect();
    // Where each run of `min_words` words starts in b.
    let mut grams: AHashMap<&[&str], Vec<usize>> = AHashMap::new();
    for j in 0..=key_b.len() - min_words {
        grams.entry(&key_b[j..j + min_words]).or_default().push(j);
    }
    let mut found: Vec<Passage> = Vec::new();
    let mut i = 0;
    while i + min_words <= key_a.len() {
        let best = grams.get(&key_a[i..i + min_words]).and_then(|js| {
            js.iter()
                .map(|&j| {
                    let mut n = min_words;
                    while i + n < key_a.len() && j + n < key_b.len() && key_a[i + n] == key_b[j + n]
                    {
                        n += 1;
                    }
                    (n, j)
                })
                // The longest extension; the first in b among equals.
                .max_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)))
        });
        match best {
            Some((n, j)) => {
                found.push(Passage {
                    a: wa[i].0.start..wa[i + n - 1].0.end,
                    b: wb[j].0.start..wb[j + n - 1].0.end,
                    words: n,
                });
                i += n;
            }
            None => i += 1,
        }
    }
    found.sort_by(|x, y| y.words.cmp(&x.words).then(x.a.start.cmp(&y.a.start)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_shared_sentence_despite_marks_and_case() {
        let a = "Intro here. The Kremlin said Putin would receive Kerry on Thursday. Bye.";
        let b = "Other start! the kremlin said putin would receive kerry on thursday, and more";
        let found = shared(a, b, 5);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &a[found[0].a.clone()],
            "The Kremlin said Putin would receive Kerry on Thursday."
        );
        assert_eq!(
            &b[found[0].b.clone()],
            "the kremlin said putin would receive kerry on thursday,"
        );
        assert_eq!(found[0].words, 9);
    }

    #[test]
    fn arabic_with_harakat_matches_bare_text() {
        let a = "أعلنت موسكو وواشنطن أن الرئيس الروسي سيجتمع";
        let b = "أَعْلَنَتْ مُوسْكُو وواشنطن أن الرئيس الروسي سيجتمع";
        assert_eq!(shared(a, b, 3)[0].words, 7);
    }

    #[test]
    fn nothing_shared_below_the_length() {
        assert!(shared("one two three", "one two four", 3).is_empty());
        assert!(shared("", "anything at all", 1).is_empty());
    }
}
