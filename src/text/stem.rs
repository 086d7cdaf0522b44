//! Arabic light stemming (Larkey, Ballesteros & Connell, "Light10", 2007)
//! on folded text: strip the conjunction و, the definite article and its
//! prepositional forms, then common suffixes, never leaving fewer than two
//! letters. It conflates the forms an article uses for one name or thing
//! (الروسي، روسيه، والروسيه) without a dictionary.

/// Prefixes: article forms, longest first (و is handled before them).
const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "ال", "لل"];
/// Suffixes in Light10 order, folded (ة→ه, so ية and يه are one).
const SUFFIXES: [&str; 8] = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The light stem of a folded Arabic token (a sub-slice of it).
pub fn arabic_light(token: &str) -> &str {
    let mut word = token;
    if let Some(rest) = word.strip_prefix('و')
        && chars(rest) >= 3
    {
        word = rest;
    }
    for article in ARTICLES {
        if let Some(rest) = word.strip_prefix(article)
            && chars(rest) >= 2
        {
            word = rest;
            break;
        }
    }
    for suffix in SUFFIXES {
        if let Some(rest) = word.strip_suffix(suffix)
            && chars(rest) >= 2
        {
            word = rest;
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    fn stem(word: &str) -> String {
        arabic_light(&normalize(word)).to_owned()
    }

    #[test]
    fn conflates_article_and_suffix_forms() {
        assert_eq!(stem("الروسي"), stem("روسي"));
        assert_eq!(stem("والروسية"), stem("روسية"));
        assert_eq!(stem("المفاوضات"), "مفاوض");
        assert_eq!(stem("الخارجية"), "خارج");
        assert_eq!(stem("بالأزمة"), "ازم");
    }

    #[test]
    fn short_words_stay() {
        assert_eq!(stem("في"), "في");
        assert_eq!(stem("ولد"), "ولد");
    }
}
