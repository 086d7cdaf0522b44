//! Words of a text by the Unicode word boundaries (UAX #29, as
//! `unicode_segmentation`'s `unicode_words` gives them), with a path of
//! their own for ASCII stretches: there the rules come down to a few byte
//! classes, where the general rules look every character up in Unicode's
//! tables (in a `perf` profile of `run` on 200,000 generated articles the
//! lookups took 3.4 % of the samples, mostly for the label search, which
//! reads the leads of thousands of headline articles).
//!
//! A text is cut into pieces at *safe points*: after a space or a line
//! end that an ASCII character other than a space follows. A boundary
//! falls there whatever surrounds it, and no rule looks across it (the
//! rules look past a character only when it is a combining mark or a
//! joiner, never an ASCII one; spaces hold together, so a mark after a run
//! of them reaches back over it all), so each piece has the words it has
//! in the whole text. ASCII pieces take the byte classes; a piece that
//! holds anything else, from the last safe point before a non-ASCII
//! character to the first one after it, takes the general rules.

use unicode_segmentation::UnicodeSegmentation;

/// The words of `text`: its segments between Unicode word boundaries that
/// hold a letter or a digit, in order.
pub fn words(text: &str) -> Words<'_> {
    Words {
        rest: text,
        piece: Piece::Done,
    }
}

/// The iterator of [`words`].
pub struct Words<'a> {
    /// The text after the current piece.
    rest: &'a str,
    piece: Piece<'a>,
}

/// The piece of text whose words are being given.
enum Piece<'a> {
    Ascii(AsciiWords<'a>),
    Unicode(unicode_segmentation::UnicodeWords<'a>),
    Done,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        loop {
            let word = match &mut self.piece {
                Piece::Ascii(words) => words.next(),
                Piece::Unicode(words) => words.next(),
                Piece::Done => None,
            };
            if word.is_some() {
                return word;
            }
            if self.rest.is_empty() {
                return None;
            }
            self.next_piece();
        }
    }
}

impl<'a> Words<'a> {
    /// Moves to the next piece of the rest of the text (not empty).
    fn next_piece(&mut self) {
        let bytes = self.rest.as_bytes();
        // Most text is ASCII throughout: tested a word at a time first.
        let other = match self.rest.is_ascii() {
            true => None,
            false => bytes.iter().position(|&b| !b.is_ascii()),
        };
        let (end, ascii) = match other {
            None => (bytes.len(), true),
            Some(other) => match last_safe_point(&bytes[..other]) {
                // The ASCII up to the last safe point before it.
                Some(safe) => (safe, true),
                // From here to the first safe point after it.
                None => (first_safe_point(bytes, other).unwrap_or(bytes.len()), false),
            },
        };
        let (piece, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.piece = match ascii {
            true => Piece::Ascii(AsciiWords { text: piece, at: 0 }),
            false => Piece::Unicode(piece.unicode_words()),
        };
    }
}

/// Whether a safe point falls between bytes `a` and `b`: after a space or
/// a line end, before an ASCII character other than a space (spaces hold
/// together, and a combining mark after them joins them all).
fn is_safe_point(a: u8, b: u8) -> bool {
    (a == b' ' || a == b'\n') && b.is_ascii() && b != b' '
}

/// The last safe point inside ASCII `bytes`, other than 0 and the end.
fn last_safe_point(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(2)
        .rposition(|pair| is_safe_point(pair[0], pair[1]))
        .map(|at| at + 1)
}

/// The first safe point in `bytes` after position `after`.
fn first_safe_point(bytes: &[u8], after: usize) -> Option<usize> {
    bytes
        .windows(2)
        .skip(after)
        .position(|pair| is_safe_point(pair[0], pair[1]))
        .map(|at| after + at + 1)
}

/// The Unicode word-break classes of ASCII characters, as bits of
/// [`CLASS`]; a character in none is a boundary on both sides (spaces and
/// line ends only group among themselves, never into a word).
mod class {
    /// A–Z, a–z (ALetter).
    pub const LETTER: u8 = 1;
    /// 0–9 (Numeric).
    pub const DIGIT: u8 = 2;
    /// `_` (ExtendNumLet): joins letters, digits and itself.
    pub const JOINER: u8 = 4;
    /// Letters, digits and joiners never part (WB5, WB8–10, WB13a–b).
    pub const IN_WORD: u8 = LETTER | DIGIT | JOINER;
    /// `:` `.` `'` (MidLetter, MidNumLet, Single_Quote): inside a word
    /// between two letters (WB6–7).
    pub const BETWEEN_LETTERS: u8 = 8;
    /// `,` `;` `.` `'` (MidNum, MidNumLet, Single_Quote): inside a number
    /// between two digits (WB11–12).
    pub const BETWEEN_DIGITS: u8 = 16;
}

/// Each ASCII byte's classes (see [`class`]); 0 above ASCII, never read.
const CLASS: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        classes[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => class::LETTER,
            b'0'..=b'9' => class::DIGIT,
            b'_' => class::JOINER,
            b':' => class::BETWEEN_LETTERS,
            b',' | b';' => class::BETWEEN_DIGITS,
            b'.' | b'\'' => class::BETWEEN_LETTERS | class::BETWEEN_DIGITS,
            _ => 0,
        };
        b += 1;
    }
    classes
};

/// Whether `bytes[start..end]`, letters and digits of ASCII text, is one
/// of its words, as [`words`] cuts them: neither side joins the letter,
/// digit, joiner or middle character next to it.
pub(crate) fn is_ascii_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let class = |i: usize| CLASS[bytes[i] as usize];
    let left = start == 0 || (class(start - 1) & class::IN_WORD == 0 && !joins(bytes, start - 1));
    let right = end == bytes.len() || (class(end) & class::IN_WORD == 0 && !joins(bytes, end));
    left && right
}

/// Whether `bytes[middle]` joins the characters either side into one
/// word: a middle character between two letters or two digits (WB6–7,
/// WB11–12); never at either end of the text.
fn joins(bytes: &[u8], middle: usize) -> bool {
    if middle == 0 || middle + 1 >= bytes.len() {
        return false;
    }
    let class = |i: usize| CLASS[bytes[i] as usize];
    let (before, here, after) = (class(middle - 1), class(middle), class(middle + 1));
    (before & after & class::LETTER != 0 && here & class::BETWEEN_LETTERS != 0)
        || (before & after & class::DIGIT != 0 && here & class::BETWEEN_DIGITS != 0)
}

/// The words of an ASCII piece (see [`words`]).
pub struct AsciiWords<'a> {
    text: &'a str,
    /// Where the search for the next word starts.
    at: usize,
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let class = |i: usize| CLASS[bytes[i] as usize];
        loop {
            // A word starts at a letter, digit or joiner: every other
            // character is a segment of its own or joins only inside one.
            let start = self.at
                + bytes[self.at..]
                    .iter()
                    .position(|&b| CLASS[b as usize] & class::IN_WORD != 0)?;
            let mut end = start + 1;
            loop {
                while end < bytes.len() && class(end) & class::IN_WORD != 0 {
                    end += 1;
                }
                if !joins(bytes, end) {
                    break;
                }
                end += 2;
            }
            self.at = end;
            // A run of joiners alone is a segment but not a word.
            if bytes[start] != b'_' || bytes[start..end].iter().any(|&b| b != b'_') {
                return Some(&self.text[start..end]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_words_keep_inner_stops_apostrophes_and_number_marks() {
        let text = "U.S. talks: Kerry's visit, 6,808,100 stg (a:b_c 1.5; x-y) __ _z.";
        let words: Vec<&str> = words(text).collect();
        assert_eq!(
            words,
            [
                "U.S",
                "talks",
                "Kerry's",
                "visit",
                "6,808,100",
                "stg",
                "a:b_c",
                "1.5",
                "x",
                "y",
                "_z"
            ]
        );
        assert_eq!(words, text.unicode_words().collect::<Vec<_>>());
    }

    #[test]
    fn a_mark_after_spaces_reaches_back_over_them() {
        // The spaces hold together and the vowel sign joins them: one
        // segment, a word since the sign is alphabetic.
        for text in ["ab  \u{93f}", "ab \n  \u{93f} cd", "x.\u{301}y z"] {
            let expected: Vec<&str> = text.unicode_words().collect();
            assert_eq!(words(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    proptest::proptest! {
        /// A stretch of letters and digits is a word exactly when the
        /// words of the text hold it at that place.
        #[test]
        fn an_ascii_word_is_where_the_words_are(text in "[aZ0 9_:,;.'-]{0,30}") {
            let bytes = text.as_bytes();
            let cut: Vec<(usize, usize)> = words(&text)
                .map(|word| {
                    let start = word.as_ptr() as usize - text.as_ptr() as usize;
                    (start, start + word.len())
                })
                .collect();
            for start in 0..bytes.len() {
                for end in start + 1..=bytes.len() {
                    if bytes[start..end].iter().all(u8::is_ascii_alphanumeric) {
                        proptest::prop_assert_eq!(
                            is_ascii_word(bytes, start, end),
                            cut.contains(&(start, end)),
                            "{}..{}", start, end
                        );
                    }
                }
            }
        }

        /// On ASCII text the byte classes give the general rules' words,
        /// on text dense in the characters whose rules differ.
        #[test]
        fn ascii_words_are_the_unicode_words(text in "[aZ0 9_:,;.'\"\n\r\t-]{0,40}") {
            let expected: Vec<&str> = text.unicode_words().collect();
            proptest::prop_assert_eq!(words(&text).collect::<Vec<_>>(), expected);
        }

        /// Any ASCII at all, printable or not.
        #[test]
        fn any_ascii_gives_the_unicode_words(bytes in proptest::collection::vec(0u8..128, 0..60)) {
            let text = String::from_utf8(bytes).expect("ASCII");
            let expected: Vec<&str> = text.unicode_words().collect();
            proptest::prop_assert_eq!(words(&text).collect::<Vec<_>>(), expected);
        }

        /// ASCII mixed with the characters whose rules look across others
        /// (combining marks, joiners, format characters, flags, emoji,
        /// letters of other scripts, wide spaces), in pieces or not.
        #[test]
        fn mixed_text_gives_the_unicode_words(
            parts in proptest::collection::vec(
                "[a1 \n\r\t.,'_:\"]|\u{301}|\u{200d}|\u{200b}|\u{200e}|\u{ad}|\u{1f1fa}|\u{1f600}|\u{2019}|\u{3000}|\u{5d0}|\u{627}|\u{3042}|\u{30a2}|\u{4e00}|\u{e9}|\u{93f}|\u{a0}|\u{2060}|\u{fe0f}",
                0..40,
            ),
        ) {
            let text = parts.concat();
            let expected: Vec<&str> = text.unicode_words().collect();
            proptest::prop_assert_eq!(words(&text).collect::<Vec<_>>(), expected);
        }
    }
}
