//! Normalisation: the one canonical form of text that every later stage sees.
//!
//! NFKC, lower case, Arabic folding (harakat and tatweel removed, alef forms
//! unified, ى→ي, ة→ه, Persian ی/ک → Arabic ي/ك, Arabic-Indic and Persian
//! digits → ASCII), invisible format characters removed, every other
//! character that is neither a letter, a digit nor a combining mark turned
//! into a space, and runs of spaces collapsed. Vowelled and bare spellings of
//! the same Arabic text therefore normalise to the same string.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, is_nfkc_quick};

/// What folding does with one (already NFKC-composed, lower-cased) character.
enum Fold {
    Keep(char),
    Drop,
    Space,
}

fn fold_char(c: char) -> Fold {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Fold::Keep(c)
        } else {
            Fold::Space
        };
    }
    match c {
        // Harakat, Quranic marks, superscript alef, tatweel.
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0640}' => Fold::Drop,
        // Zero-width and other invisible format characters: they join or
        // split nothing a reader sees, so they must not split words either.
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' => Fold::Drop,
        'أ' | 'إ' | 'آ' | 'ٱ' => Fold::Keep('ا'),
        'ى' | 'ی' => Fold::Keep('ي'),
        'ک' => Fold::Keep('ك'),
        'ة' => Fold::Keep('ه'),
        '\u{0660}'..='\u{0669}' => Fold::Keep(digit(c as u32 - 0x0660)),
        '\u{06F0}'..='\u{06F9}' => Fold::Keep(digit(c as u32 - 0x06F0)),
        _ if c.is_alphanumeric() || is_combining_mark(c) => Fold::Keep(c),
        _ => Fold::Space,
    }
}

fn digit(value: u32) -> char {
    char::from_digit(value, 10).expect("value is a decimal digit")
}

/// One pass of NFKC, lower case and folding over `text`, appended to `out`.
fn fold_into(text: &str, out: &mut String) {
    let start = out.len();
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| match fold_char(c) {
        Fold::Keep(c) => {
            if pending_space && out.len() > start {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
        Fold::Drop => {}
        Fold::Space => pending_space = true,
    };
    if text.is_ascii() {
        for c in text.chars() {
            push(c.to_ascii_lowercase(), out);
        }
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        for c in text.chars().flat_map(char::to_lowercase) {
            push(c, out);
        }
    } else {
        for c in text.nfkc().flat_map(char::to_lowercase) {
            push(c, out);
        }
    }
}

/// Normalises `text` into its canonical form (see the module docs).
///
/// The result is a fixed point: `normalize(&normalize(s)) == normalize(s)`.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    // Dropping a character can bring a base letter and a combining mark
    // together, and lower-casing can produce a new composable pair; one more
    // pass settles both, so the form is a fixed point.
    if !out.is_ascii() && is_nfkc_quick(out.chars()) != IsNormalized::Yes {
        let mut again = String::with_capacity(out.len());
        fold_into(&out, &mut again);
        out = again;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_arabic_spelling_variants() {
        // Vowelled, with tatweel and hamza forms, against the bare spelling.
        assert_eq!(normalize("أَعْلَنَتْ مُوسْكُو"), normalize("اعلنت موسكو"));
        assert_eq!(normalize("الرئيـــس"), "الرئيس");
        assert_eq!(normalize("إيران آسيا ٱلله"), "ايران اسيا الله");
        assert_eq!(normalize("مستشفى مدرسة"), "مستشفي مدرسه");
        assert_eq!(normalize("٢٠١٥ ۲۰۱۶"), "2015 2016");
    }

    #[test]
    fn punctuation_becomes_single_spaces() {
        assert_eq!(normalize("  Hello,   World!\n«بوتين»… "), "hello world بوتين");
        assert_eq!(normalize("e-mail"), "e mail");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("!!!"), "");
    }

    #[test]
    fn keeps_combining_marks_of_other_scripts() {
        // Devanagari vowel signs are marks, not punctuation.
        assert_eq!(normalize("नमस्ते दुनिया"), "नमस्ते दुनिया");
    }

    #[test]
    fn compatibility_forms_fold() {
        assert_eq!(normalize("ﬁle ＡＢＣ ℌ"), "file abc h");
        // Arabic presentation forms become the base letters.
        assert_eq!(normalize("ﻻ"), "لا");
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,60}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }

        #[test]
        fn normalize_is_idempotent_on_arabic(s in "[\u{0600}-\u{06FF} a-z.,]{0,80}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }

        #[test]
        fn harakat_never_change_the_result(
            words in proptest::collection::vec("[\u{0621}-\u{063A}\u{0641}-\u{064A}]{1,8}", 1..10),
            marks in proptest::collection::vec(
                prop_oneof![Just('\u{064E}'), Just('\u{064F}'), Just('\u{0650}'),
                            Just('\u{0651}'), Just('\u{0652}'), Just('\u{064B}'), Just('\u{0640}')],
                0..30),
        ) {
            let bare = words.join(" ");
            let mut vowelled = String::new();
            let mut marks = marks.into_iter();
            for c in bare.chars() {
                vowelled.push(c);
                if c != ' ' {
                    if let Some(m) = marks.next() { vowelled.push(m); }
                }
            }
            prop_assert_eq!(normalize(&vowelled), normalize(&bare));
        }
    }
}
