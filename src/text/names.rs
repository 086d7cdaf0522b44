//! Name-like words: words written with a capital letter inside a sentence.
//!
//! Two reports of look-alike events (two earthquakes on one island, two
//! boxers defending one title) share their topic words; what tells them
//! apart is mostly who and where: proper names. In scripts with letter case,
//! a word capitalised where a sentence does not start is a cheap,
//! language-independent sign of one. Scripts without case (Arabic, Hebrew,
//! Chinese…) yield nothing, so their documents are weighed as before.
//!
//! This reads the original text, since normalisation lower-cases it; it
//! runs only where vectors are built, never on the near-duplicate path.

use super::{normalize, tokens};

/// Characters after which a capitalised word may just be starting a
/// sentence, a quotation or a heading line.
const fn opens_sentence(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | ':' | ';' | '\n' | '"' | '“' | '«' | '¿' | '¡'
    )
}

/// The normalised tokens of the words written capitalised inside a sentence
/// in `texts` (each text starts a sentence), sorted and deduplicated.
#[cfg(test)]
pub fn name_tokens<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for_each_name(texts, |name| names.push(name.to_owned()));
    names.sort_unstable();
    names.dedup();
    names
}

/// Calls `found` with each name token of `texts` (those [`name_tokens`]
/// gives), in text order and with repeats, without a string allocated for
/// each name of ASCII text.
pub fn for_each_name<'a>(texts: impl IntoIterator<Item = &'a str>, mut found: impl FnMut(&str)) {
    let mut lower = String::new();
    let mut names = Vec::new();
    for text in texts {
        if text.is_ascii() {
            ascii_names(text, &mut lower, &mut found);
        } else {
            names_into(text, &mut names);
            names.drain(..).for_each(|name| found(&name));
        }
    }
}

/// Byte classes of ASCII text for [`ascii_names`], as bits.
mod class {
    /// A letter or a digit.
    pub const ALPHANUMERIC: u8 = 1;
    /// A capital letter.
    pub const UPPER: u8 = 2;
    /// White space other than a newline: passed over when judging what a
    /// word follows.
    pub const BLANK: u8 = 4;
    /// A character after which a word may be starting a sentence (see
    /// [`super::opens_sentence`]).
    pub const OPENS: u8 = 8;
}

/// Each ASCII byte's classes, looked up once a byte instead of tested
/// range by range (0 above ASCII, never read).
const CLASS: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        classes[b] = if c.is_ascii_uppercase() {
            class::ALPHANUMERIC | class::UPPER
        } else if c.is_ascii_alphanumeric() {
            class::ALPHANUMERIC
        } else if matches!(c, b'\t' | b'\x0b' | b'\x0c' | b'\r' | b' ') {
            class::BLANK
        } else if opens_sentence(c as char) {
            class::OPENS
        } else {
            0
        };
        b += 1;
    }
    classes
};

/// The name tokens of one ASCII text: what [`names_into`] finds, without
/// decoding characters or Unicode class lookups. Only capitals can start a
/// name, and they are a few bytes in a hundred: they are found eight bytes
/// at a time, and only around each is the text read byte by byte.
fn ascii_names(text: &str, lower: &mut String, found: &mut impl FnMut(&str)) {
    use super::normalize::at_least;
    let bytes = text.as_bytes();
    let is = |at: usize, classes: u8| CLASS[bytes[at] as usize] & classes != 0;
    let mut capital_at = |start: usize| {
        // Inside a word (a capital after a letter or digit) or where a
        // sentence may start (after its opening character and any white
        // space, or at the text's start): no name.
        if start > 0 && is(start - 1, class::ALPHANUMERIC) {
            return;
        }
        let mut before = start;
        while before > 0 && is(before - 1, class::BLANK) {
            before -= 1;
        }
        if before == 0 || is(before - 1, class::OPENS) {
            return;
        }
        let mut end = start + 1;
        while end < bytes.len() && is(end, class::ALPHANUMERIC) {
            end += 1;
        }
        lower.clear();
        lower.push_str(&text[start..end]);
        lower.make_ascii_lowercase();
        found(lower);
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let eight = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // The high bit of each byte from A to Z (ASCII bytes never borrow).
        let mut capitals = at_least(eight, b'A') & !at_least(eight, b'Z' + 1);
        while capitals != 0 {
            capital_at(base + capitals.trailing_zeros() as usize / 8);
            capitals &= capitals - 1;
        }
        base += 8;
    }
    for at in base..bytes.len() {
        if is(at, class::UPPER) {
            capital_at(at);
        }
    }
}

/// The name tokens of one text, appended to `names`.
fn names_into(text: &str, names: &mut Vec<String>) {
    // The last character that is not white space, other than a newline.
    let mut before = '\n';
    let mut word_start: Option<usize> = None;
    let mut sentence_initial = true;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphanumeric() {
            if word_start.is_none() {
                word_start = Some(i);
                sentence_initial = opens_sentence(before);
            }
        } else if let Some(start) = word_start.take() {
            let word = &text[start..i];
            let capitalised = word.chars().next().is_some_and(char::is_uppercase);
            if capitalised && !sentence_initial {
                if word.is_ascii() {
                    // Letters and digits: normalised, one lower-case token.
                    names.push(word.to_ascii_lowercase());
                } else {
                    names.extend(tokens(&normalize(word)).map(str::to_owned));
                }
            }
        }
        if !c.is_whitespace() || c == '\n' {
            before = c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The byte path for ASCII text finds what the character path does.
        #[test]
        fn ascii_names_are_those_of_the_character_path(text in "[a-cA-C0-9 .:;!?\"\n\t\r\x0b\x0c,'_-]{0,80}") {
            let (mut fast, mut general) = (Vec::new(), Vec::new());
            ascii_names(&text, &mut String::new(), &mut |name: &str| fast.push(name.to_owned()));
            names_into(&text, &mut general);
            prop_assert_eq!(fast, general);
        }

        /// Any ASCII at all.
        #[test]
        fn ascii_names_of_any_ascii_are_those_of_the_character_path(
            bytes in proptest::collection::vec(0u8..128, 0..80),
        ) {
            let text = String::from_utf8(bytes).expect("ASCII");
            let (mut fast, mut general) = (Vec::new(), Vec::new());
            ascii_names(&text, &mut String::new(), &mut |name: &str| fast.push(name.to_owned()));
            names_into(&text, &mut general);
            prop_assert_eq!(fast, general);
        }

        #[test]
        fn an_ascii_word_is_its_lower_case_token(word in "[A-Z][a-zA-Z0-9]{0,12}") {
            let normalised = normalize(&word);
            let token: Vec<&str> = tokens(&normalised).collect();
            let lower = word.to_ascii_lowercase();
            prop_assert_eq!(token, vec![lower.as_str()]);
        }
    }

    #[test]
    fn capitalised_words_inside_sentences_are_names() {
        let names = name_tokens([
            "Klitschko stopped Tony Thompson in Bern. The fight ended early.\nReferee Sam Williams said: \"Enough.\"",
        ]);
        assert_eq!(names, ["bern", "sam", "thompson", "tony", "williams"]);
    }

    #[test]
    fn scripts_without_case_have_no_names() {
        assert!(name_tokens(["التقى بوتين كيري في موسكو"]).is_empty());
    }

    #[test]
    fn each_text_starts_a_sentence() {
        assert_eq!(
            name_tokens(["Moscow talks", "Kerry arrived in Moscow"]),
            ["moscow"]
        );
    }
}
