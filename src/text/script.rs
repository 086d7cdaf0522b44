//! Coarse writing-system classes of tokens. Mixed-language documents (an
//! Arabic article with English photo captions) need stop words and stemming
//! chosen per script, not per document.

/// A writing system, coarsely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    /// Latin letters, ASCII digits.
    Latin,
    /// Greek.
    Greek,
    /// Cyrillic.
    Cyrillic,
    /// Armenian, Georgian, Hebrew.
    Hebrew,
    /// Arabic, Persian, Urdu.
    Arabic,
    /// Devanagari, Bengali and the other Brahmic scripts.
    Indic,
    /// Thai, Lao, Khmer, Myanmar.
    SoutheastAsian,
    /// Han, kana, hangul.
    Cjk,
    /// Anything else.
    Other,
}

impl Script {
    /// Number of classes.
    pub const COUNT: usize = 9;

    /// The class of a token: its first character's.
    pub fn of(token: &str) -> Script {
        token.chars().next().map_or(Script::Other, Script::of_char)
    }

    /// The class of one character.
    pub fn of_char(c: char) -> Script {
        match c as u32 {
            0..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
            0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
            0x0400..=0x052F => Script::Cyrillic,
            0x0530..=0x05FF | 0x10A0..=0x10FF => Script::Hebrew,
            0x0600..=0x06FF
            | 0x0750..=0x077F
            | 0x08A0..=0x08FF
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFF => Script::Arabic,
            0x0900..=0x0DFF => Script::Indic,
            0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF => Script::SoutheastAsian,
            0x1100..=0x11FF | 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF => Script::Cjk,
            _ => Script::Other,
        }
    }

    /// Index in `0..COUNT`.
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_tokens() {
        assert_eq!(Script::of("putin"), Script::Latin);
        assert_eq!(Script::of("2015"), Script::Latin);
        assert_eq!(Script::of("بوتين"), Script::Arabic);
        assert_eq!(Script::of("путин"), Script::Cyrillic);
        assert_eq!(Script::of("普京"), Script::Cjk);
        assert_eq!(Script::of(""), Script::Other);
    }
}
