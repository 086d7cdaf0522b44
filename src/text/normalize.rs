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
        // The common Arabic letters, without a table look-up.
        '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' => Fold::Keep(c),
        _ if c.is_alphanumeric() || is_combining_mark(c) => Fold::Keep(c),
        _ => Fold::Space,
    }
}

fn digit(value: u32) -> char {
    char::from_digit(value, 10).expect("value is a decimal digit")
}

/// Characters whose fold is the same with or without NFKC and
/// lower-casing, so they skip both: ASCII (lower-cased by hand), the Arabic
/// block except the marks that compose with a letter (U+0653–0655) and the
/// letters with compatibility decompositions (U+0675–0678), and spaces and
/// general punctuation, which become separators either way. A unit test
/// checks the claim character by character.
fn is_inert(c: char) -> bool {
    c.is_ascii()
        || matches!(c as u32, 0x00A0 | 0x0600..=0x0652 | 0x0656..=0x0674 | 0x0679..=0x06FF | 0x2000..=0x2016 | 0x2018..=0x203D | 0x203F..=0x206F)
}

/// Whether `c` is a combining mark that NFKC may compose with the
/// character before it (Arabic harakat never compose).
fn may_compose(c: char) -> bool {
    match c as u32 {
        0..=0x7F => false,
        0x0653..=0x0655 => true,
        0x0600..=0x06FF => false,
        _ => is_combining_mark(c),
    }
}

/// One pass of NFKC, lower case and folding over `text`, appended to `out`.
/// Runs of characters that need NFKC go through it; the rest (nearly all of
/// English and Arabic text) takes a direct path. Returns whether any run
/// needed NFKC.
fn fold_into(text: &str, out: &mut String) -> bool {
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
    let mut slow = String::new();
    let mut used_nfkc = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next_composes = chars.peek().is_some_and(|&n| may_compose(n));
        if is_inert(c) && !next_composes {
            if !slow.is_empty() {
                used_nfkc = true;
                for c in slow.nfkc().flat_map(char::to_lowercase) {
                    push(c, out);
                }
                slow.clear();
            }
            push(c.to_ascii_lowercase(), out);
        } else {
            slow.push(c);
        }
    }
    used_nfkc |= !slow.is_empty();
    for c in slow.nfkc().flat_map(char::to_lowercase) {
        push(c, out);
    }
    used_nfkc
}

/// ASCII text needs neither NFKC nor Unicode tables: lower-case letters
/// and digits stay, everything else separates.
fn fold_ascii(text: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut pending_space = false;
    for &b in text {
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(b' ');
            }
            pending_space = false;
            out.push(b.to_ascii_lowercase());
        } else {
            pending_space = true;
        }
    }
    String::from_utf8(out).expect("ASCII in, ASCII out")
}

/// Appends the normalised lines of `text` to `out`, each non-empty one
/// after a `\n`: the same as normalising line by line, in one pass and
/// without a string per line when the text is ASCII.
pub fn normalize_lines_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        return ascii_lines_into(text, out);
    }
    // Runs of ASCII lines still take the byte path (most lines of Latin
    // text with a few curly quotes are ASCII); the others go one by one.
    let mut ascii_run: Option<std::ops::Range<usize>> = None;
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let line = start..start + piece.len();
        start = line.end;
        if piece.is_ascii() {
            ascii_run = Some(ascii_run.map_or(line.clone(), |run| run.start..line.end));
            continue;
        }
        if let Some(run) = ascii_run.take() {
            ascii_lines_into(&text[run], out);
        }
        let line = normalize(piece.strip_suffix('\n').unwrap_or(piece));
        if !line.is_empty() {
            out.push('\n');
            out.push_str(&line);
        }
    }
    if let Some(run) = ascii_run {
        ascii_lines_into(&text[run], out);
    }
}

/// [`normalize_lines_into`] for ASCII text: inside a line, the longest run
/// of up to eight bytes that are words and single spaces (most of prose),
/// which normalise to themselves in lower case, is copied at once; the byte
/// after it (punctuation, a second space, a line's end) goes alone, without
/// a branch on its class, and the next run starts right after it.
fn ascii_lines_into(text: &str, out: &mut String) {
    debug_assert!(text.is_ascii());
    let mut bytes = std::mem::take(out).into_bytes();
    let base = bytes.len();
    // Every kept line adds one separator before it and the input had one
    // after each line but the last, so the output fits in len + 2; each
    // step writes both a separator and a byte, and advances past what it
    // keeps (no branch on the byte's class).
    bytes.resize(base + text.len() + 2, 0);
    let buf = &mut bytes[base..];
    let mut written = 0usize;
    // Within a line: whether a separator is pending; across lines: whether
    // the current line has kept anything yet.
    let (mut pending_space, mut line_started) = (false, false);
    let input = text.as_bytes();
    let mut at = 0;
    while at < input.len() {
        if line_started && at + 8 <= input.len() {
            let chunk = u64::from_le_bytes(input[at..at + 8].try_into().expect("eight bytes"));
            let (plain, spaces) = plain_prefix(chunk, pending_space);
            if plain > 0 {
                // The output never runs ahead of the input by more than
                // the one separator, so nine bytes fit.
                buf[written] = b' ';
                written += pending_space as usize;
                buf[written..written + 8].copy_from_slice(&(chunk | CASE_BITS).to_le_bytes());
                // A space at the end waits for what follows it.
                pending_space = (spaces >> (8 * plain - 1)) & 1 != 0;
                written += plain - pending_space as usize;
                at += plain;
                continue;
            }
        }
        let lowered = ASCII_CLASS[input[at] as usize];
        let keep = lowered > NEWLINE;
        let newline = lowered == NEWLINE;
        buf[written] = if line_started { b' ' } else { b'\n' };
        written += (keep && (pending_space || !line_started)) as usize;
        buf[written] = lowered;
        written += keep as usize;
        pending_space = !keep && !newline;
        line_started = (line_started || keep) && !newline;
        at += 1;
    }
    bytes.truncate(base + written);
    *out = String::from_utf8(bytes).expect("ASCII appended to UTF-8");
}

/// A one in every byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte of a word.
const HIGH: u64 = 0x8080_8080_8080_8080;
/// The bit that makes an ASCII letter lower case, in every byte of a word
/// (set in digits and the space already).
const CASE_BITS: u64 = 0x2020_2020_2020_2020;

/// The high bit of each byte of `x` (ASCII bytes) that is at least `c`
/// (at most 0x80): no byte borrows from the next.
#[inline]
pub(super) fn at_least(x: u64, c: u8) -> u64 {
    ((x | HIGH) - ONES * c as u64) & HIGH
}

/// For eight ASCII bytes, how many lead them that are letters, digits or
/// spaces, no two spaces side by side and none first when a space is
/// already `pending`: they normalise to themselves in lower case. Also the
/// high bit of each byte that is a space.
#[inline]
fn plain_prefix(chunk: u64, pending: bool) -> (usize, u64) {
    let folded = chunk | CASE_BITS;
    let letters = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let digits = at_least(chunk, b'0') & !at_least(chunk, b'9' + 1);
    let spaces = at_least(chunk, b' ') & !at_least(chunk, b' ' + 1);
    let not_plain = !(letters | digits | spaces) & HIGH;
    let second_space = spaces & (spaces << 8);
    let space_after_pending = spaces & 0x80 & (pending as u64).wrapping_neg();
    let stop = not_plain | second_space | space_after_pending;
    (stop.trailing_zeros() as usize / 8, spaces)
}

/// Class of an ASCII byte in [`ASCII_CLASS`]: a line break.
const NEWLINE: u8 = 1;

/// Per ASCII byte: its lower-case form for letters and digits, [`NEWLINE`]
/// for `\n`, 0 for everything else (a separator).
const ASCII_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_alphanumeric() {
            byte.to_ascii_lowercase()
        } else if byte == b'\n' {
            NEWLINE
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Normalises `text` into its canonical form (see the module docs).
///
/// The result is a fixed point: `normalize(&normalize(s)) == normalize(s)`.
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return fold_ascii(text.as_bytes());
    }
    let mut out = String::with_capacity(text.len());
    let used_nfkc = fold_into(text, &mut out);
    // Around characters that needed NFKC, dropping a character can bring a
    // base letter and a combining mark together, and lower-casing can make
    // a new composable pair; one more pass settles both, so the form is a
    // fixed point. The direct path makes no such pairs.
    if used_nfkc && is_nfkc_quick(out.chars()) != IsNormalized::Yes {
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
        assert_eq!(
            normalize("  Hello,   World!\n«بوتين»… "),
            "hello world بوتين"
        );
        assert_eq!(normalize("e-mail"), "e mail");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("!!!"), "");
    }

    #[test]
    fn keeps_combining_marks_of_other_scripts() {
        // Devanagari vowel signs are marks, not punctuation.
        assert_eq!(normalize("नमस्ते दुनिया"), "नमस्ते दुनिया");
    }

    /// Folding with NFKC and lower-casing applied to every character.
    fn reference(text: &str) -> String {
        let mut out = String::new();
        let mut pending_space = false;
        for c in text.nfkc().flat_map(char::to_lowercase) {
            match fold_char(c) {
                Fold::Keep(c) => {
                    if pending_space && !out.is_empty() {
                        out.push(' ');
                    }
                    pending_space = false;
                    out.push(c);
                }
                Fold::Drop => {}
                Fold::Space => pending_space = true,
            }
        }
        out
    }

    #[test]
    fn inert_characters_fold_as_with_nfkc() {
        for c in (0u32..0x2100)
            .filter_map(char::from_u32)
            .filter(|&c| is_inert(c))
        {
            for context in [format!("a{c}b"), format!("ب{c}ت"), format!("{c}")] {
                assert_eq!(
                    normalize(&context),
                    reference(&context),
                    "U+{:04X}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn decomposed_input_composes_like_precomposed() {
        // e + combining acute, and waw + combining hamza above.
        assert_eq!(normalize("cafe\u{301}"), normalize("café"));
        assert_eq!(normalize("\u{0648}\u{0654}"), normalize("\u{0624}"));
        assert_eq!(normalize("a\u{00A0}b"), "a b");
    }

    #[test]
    fn compatibility_forms_fold() {
        assert_eq!(normalize("ﬁle ＡＢＣ ℌ"), "file abc h");
        // Arabic presentation forms become the base letters.
        assert_eq!(normalize("ﻻ"), "لا");
    }

    /// `text`'s lines normalised one by one, each non-empty one after a
    /// `\n`, after a title.
    fn line_by_line(text: &str) -> String {
        let mut expected = String::from("title");
        for line in text.lines() {
            let line = normalize(line);
            if !line.is_empty() {
                expected.push('\n');
                expected.push_str(&line);
            }
        }
        expected
    }

    #[test]
    fn a_plain_run_stops_before_punctuation_or_a_second_space() {
        let run = |bytes: &[u8; 8], pending| plain_prefix(u64::from_le_bytes(*bytes), pending).0;
        assert_eq!(run(b"Word and", false), 8);
        assert_eq!(run(b"word, an", false), 4);
        // The first space is kept (then pending), the second stops it.
        assert_eq!(run(b"two  spc", false), 4);
        assert_eq!(run(b" leading", false), 8);
        assert_eq!(run(b" leading", true), 0);
        assert_eq!(run(b"line\nend", false), 4);
    }

    /// `text` through [`normalize_lines_into`], after a title.
    fn in_one_pass(text: &str) -> String {
        let mut got = String::from("title");
        normalize_lines_into(text, &mut got);
        got
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,60}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }

        #[test]
        fn direct_path_agrees_with_full_nfkc(s in "\\PC{0,60}") {
            let once = normalize(&s);
            prop_assert_eq!(&once, &normalize(&reference(&s)));
        }

        #[test]
        fn lines_in_one_pass_match_line_by_line(
            s in "[a-zA-Z0-9 ,.\r\n\t-]{0,120}",
            mixed in "[a-zA-Z0-9 ,.\r\n\t’«»éبوتين\u{0301}-]{0,120}",
            kind in 0..3,
        ) {
            // ASCII, ASCII then an Arabic line, or ASCII and other lines mixed.
            let text = match kind {
                0 => s,
                1 => format!("{s}\nبوتين"),
                _ => mixed,
            };
            prop_assert_eq!(in_one_pass(&text), line_by_line(&text));
        }

        #[test]
        fn prose_in_one_pass_matches_line_by_line(
            words in proptest::collection::vec(("[a-zA-Z0-9]{1,12}", 0..12usize), 0..40),
        ) {
            // Words and mostly single spaces, so that most eight-byte
            // stretches are plain: the path that copies them whole.
            const SEPARATORS: [&str; 12] =
                [" ", " ", " ", " ", " ", " ", "  ", ", ", ".\n", "\n", " -", "\r\n"];
            let text: String = words
                .iter()
                .map(|(word, separator)| format!("{word}{}", SEPARATORS[*separator]))
                .collect();
            prop_assert_eq!(in_one_pass(&text), line_by_line(&text));
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
                if c != ' ' && let Some(m) = marks.next() {
                    vowelled.push(m);
                }
            }
            prop_assert_eq!(normalize(&vowelled), normalize(&bare));
        }
    }
}
