//! Stop words for every language of the ISO stop-word lists, with the
//! language of each document guessed from the stop words it uses.
//!
//! A corpus may mix languages, and one language's stop word can be another's
//! content word ("die", "was"), so a document loses only the stop words of the
//! language whose list it matches most often. The lists pass through
//! [`normalize`](super::normalize()) so they match folded text.

use super::script::Script;
use ahash::AHashMap;
use std::sync::OnceLock;

/// Normalised stop word → bit set of the languages that list it.
struct StopWords {
    languages: Vec<&'static str>,
    by_word: AHashMap<String, u64>,
}

fn stop_words() -> &'static StopWords {
    static TABLE: OnceLock<StopWords> = OnceLock::new();
    TABLE.get_or_init(|| {
        let languages: Vec<&'static str> = stop_words::available_languages()
            .iter()
            .copied()
            .filter(|code| code.len() == 2)
            .take(64)
            .collect();
        let mut by_word: AHashMap<String, u64> = AHashMap::new();
        for (bit, code) in languages.iter().enumerate() {
            for word in stop_words::get(code) {
                let folded = super::normalize(word);
                // Entries that fold to several tokens ("a's") cannot match one token.
                if !folded.is_empty() && !folded.contains(' ') {
                    *by_word.entry(folded).or_default() |= 1 << bit;
                }
            }
        }
        StopWords { languages, by_word }
    })
}

/// The stop-word language of a document in each script it uses, with
/// how many of its tokens in that script the chosen list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Languages {
    chosen: [Option<u8>; Script::COUNT],
    hits: [u32; Script::COUNT],
}

/// Fewest stop-word hits in a script for a document's own guess to stand;
/// below it the corpus's language for that script is used (see
/// [`Languages::or_corpus`]). A tweet or headline holds one or two stop
/// words, often listed by several languages, so its own guess is a coin
/// toss among them.
pub const MIN_HITS: u32 = 3;

impl Languages {
    /// Guesses, for each script, the language whose list the tokens of that
    /// script hit most often (ties go to the earlier code, so the guess is
    /// deterministic).
    pub fn detect<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Languages {
        let table = stop_words();
        let mut hits = [[0u32; 64]; Script::COUNT];
        // Scripts with a hit: only they have a language to choose (a
        // document is mostly in one, and choosing among every list of
        // every script cost as much as the lookups).
        let mut hit_scripts = [false; Script::COUNT];
        for token in tokens {
            if let Some(&mask) = table.by_word.get(token) {
                let script = Script::of(token).index();
                hit_scripts[script] = true;
                let mut mask = mask;
                while mask != 0 {
                    hits[script][mask.trailing_zeros() as usize] += 1;
                    mask &= mask - 1;
                }
            }
        }
        let mut chosen = [None; Script::COUNT];
        let mut best_hits = [0u32; Script::COUNT];
        for (script, hits) in hits.iter().enumerate() {
            if !hit_scripts[script] {
                continue;
            }
            let best = (0..table.languages.len()).max_by_key(|&i| (hits[i], std::cmp::Reverse(i)));
            chosen[script] = best.filter(|&i| hits[i] > 0).map(|i| i as u8);
            best_hits[script] = best.map_or(0, |i| hits[i]);
        }
        Languages {
            chosen,
            hits: best_hits,
        }
    }

    /// The corpus's language for each script: the one most documents with
    /// at least [`MIN_HITS`] hits chose (ties to the earlier code).
    pub fn of_corpus(documents: &[Languages]) -> Languages {
        let mut votes = [[0u32; 64]; Script::COUNT];
        for doc in documents {
            for ((votes, chosen), &hits) in votes.iter_mut().zip(doc.chosen).zip(&doc.hits) {
                if let (Some(language), true) = (chosen, hits >= MIN_HITS) {
                    votes[language as usize] += 1;
                }
            }
        }
        let mut corpus = Languages {
            chosen: [None; Script::COUNT],
            hits: [0; Script::COUNT],
        };
        for (script, votes) in votes.iter().enumerate() {
            let best = (0..64).max_by_key(|&i| (votes[i], std::cmp::Reverse(i)));
            if let Some(best) = best.filter(|&i| votes[i] > 0) {
                corpus.chosen[script] = Some(best as u8);
                corpus.hits[script] = MIN_HITS;
            }
        }
        corpus
    }

    /// These languages, with the corpus's for each script where this
    /// document's own guess rests on fewer than [`MIN_HITS`] hits.
    pub fn or_corpus(&self, corpus: &Languages) -> Languages {
        let mut out = *self;
        for script in 0..Script::COUNT {
            if self.hits[script] < MIN_HITS && corpus.chosen[script].is_some() {
                out.chosen[script] = corpus.chosen[script];
                out.hits[script] = corpus.hits[script];
            }
        }
        out
    }

    /// The ISO 639-1 code chosen for a script, if any of its stop words was seen.
    pub fn code(&self, script: Script) -> Option<&'static str> {
        self.chosen[script.index()].map(|i| stop_words().languages[i as usize])
    }

    /// Whether `token` (normalised) is a stop word of the language chosen
    /// for its script. An Arabic token is also one when it is a stop word
    /// behind the conjunction و, which is written joined to the next word.
    pub fn is_stop_word(&self, token: &str) -> bool {
        let script = Script::of(token);
        let Some(bit) = self.chosen[script.index()] else {
            return false;
        };
        let listed = |word: &str| {
            stop_words()
                .by_word
                .get(word)
                .is_some_and(|mask| mask & (1 << bit) != 0)
        };
        listed(token)
            || script == Script::Arabic
                && token
                    .strip_prefix('و')
                    .is_some_and(|rest| !rest.is_empty() && listed(rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<String> {
        super::super::normalize(s)
            .split(' ')
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn detects_arabic_and_english() {
        let ar = tokens("قال الرئيس إن الولايات المتحدة لن ترفع العقوبات على روسيا في هذا الوقت");
        let lang = Languages::detect(ar.iter().map(String::as_str));
        assert_eq!(lang.code(Script::Arabic), Some("ar"));
        assert!(lang.is_stop_word("في"));
        assert!(lang.is_stop_word("وما"));
        // Folded spellings match too: "إلى" is listed, "الى" is how it folds.
        assert!(lang.is_stop_word(&super::super::normalize("إلى")));
        assert!(!lang.is_stop_word("روسيا"));

        let en = tokens("The president said that the talks with Russia were useful and frank");
        let lang = Languages::detect(en.iter().map(String::as_str));
        assert_eq!(lang.code(Script::Latin), Some("en"));
        assert!(lang.is_stop_word("the"));
        assert!(!lang.is_stop_word("russia"));
    }

    #[test]
    fn mixed_documents_get_a_language_per_script() {
        let mixed = tokens(
            "قال الرئيس إن المحادثات في موسكو كانت مفيدة. The president shakes hands in the hall",
        );
        let lang = Languages::detect(mixed.iter().map(String::as_str));
        assert_eq!(lang.code(Script::Arabic), Some("ar"));
        assert_eq!(lang.code(Script::Latin), Some("en"));
        assert!(lang.is_stop_word("the"));
        assert!(lang.is_stop_word("في"));
    }

    #[test]
    fn a_short_document_takes_the_corpus_language() {
        let english = tokens("The president said that the talks with Russia were useful");
        let english = Languages::detect(english.iter().map(String::as_str));
        // One stop word, listed by many languages: a weak guess of its own.
        let tweet = tokens("Flood warning in Calgary dit morning");
        let tweet = Languages::detect(tweet.iter().map(String::as_str));
        let corpus = Languages::of_corpus(&[english, english, tweet]);
        assert_eq!(corpus.code(Script::Latin), Some("en"));
        assert_eq!(tweet.or_corpus(&corpus).code(Script::Latin), Some("en"));
        // A document with enough evidence keeps its own guess.
        let french = tokens("Le président a dit que les pourparlers avec la Russie étaient utiles");
        let french = Languages::detect(french.iter().map(String::as_str));
        assert_eq!(french.or_corpus(&corpus).code(Script::Latin), Some("fr"));
    }

    #[test]
    fn no_stop_words_means_no_language() {
        let lang = Languages::detect(["xqzt", "vvrk"]);
        assert_eq!(lang.code(Script::Latin), None);
        assert!(!lang.is_stop_word("the"));
    }
}
