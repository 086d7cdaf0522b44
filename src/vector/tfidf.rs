//! TF-IDF over word tokens: stop words of each document's language removed,
//! Arabic tokens light-stemmed, title terms weighted up, sublinear term
//! frequency, smoothed idf counted among the documents of the term's own
//! script, minority scripts of a document damped, unit length.

use super::SparseVector;
use crate::text::script::Script;
use crate::text::stopwords::Languages;
use crate::text::{PreparedText, term, tokens};
use ahash::AHashMap;
use rayon::prelude::*;

/// How vectors are weighted.
#[derive(Clone, Debug)]
pub struct TfIdfOptions {
    /// How many times a title occurrence of a term counts.
    pub title_weight: f32,
}

impl Default for TfIdfOptions {
    fn default() -> Self {
        TfIdfOptions { title_weight: 2.0 }
    }
}

/// Vectors of a corpus and the vocabulary they index.
#[derive(Clone, Debug, Default)]
pub struct TfIdf {
    /// One unit vector per document, in corpus order.
    pub vectors: Vec<SparseVector>,
    /// Term strings (stems for Arabic) by id.
    pub vocabulary: Vec<String>,
    /// How each term is most often written, by id, for labels.
    pub display: Vec<String>,
}

/// Whether a token carries meaning on its own: single Latin letters and
/// digits ("a", "5") do not; single ideographs do.
fn is_content(token: &str) -> bool {
    let mut chars = token.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => !c.is_ascii(),
        (Some(_), Some(_)) => true,
        _ => false,
    }
}

/// Weighted counts of the content tokens of one document (before
/// stemming), sorted by token.
fn token_counts<'a>(text: &'a PreparedText, options: &TfIdfOptions) -> Vec<(&'a str, f32)> {
    let all: Vec<&str> = tokens(&text.text).collect();
    let languages = Languages::detect(all.iter().copied());
    let mut counts: AHashMap<&str, f32> = AHashMap::with_capacity(all.len());
    let title = tokens(text.title()).count();
    for (i, token) in all.into_iter().enumerate() {
        if is_content(token) && !languages.is_stop_word(token) {
            let weight = if i < title { options.title_weight } else { 1.0 };
            *counts.entry(token).or_default() += weight;
        }
    }
    let mut counts: Vec<(&str, f32)> = counts.into_iter().collect();
    counts.sort_unstable_by(|a, b| a.0.cmp(b.0));
    counts
}

/// A script holding less than this share of a document's words is a
/// minority in it: photo credits, captions or a quotation in another
/// language, peripheral to what the document reports.
const MINORITY_SHARE: f32 = 0.3;
/// Factor for the terms of a minority script.
const MINORITY_WEIGHT: f32 = 0.3;

/// Digits are written alike in every script (Arabic-Indic ones are folded
/// to ASCII), so numbers belong to no script's minority.
fn is_number(term: &str) -> bool {
    term.bytes().all(|b| b.is_ascii_digit())
}

/// Which scripts are a minority among a document's words, given its terms
/// with their counts (before weighting).
fn minority_scripts<'a>(terms: impl Iterator<Item = (&'a str, f32)>) -> [bool; Script::COUNT] {
    let mut words = [0f32; Script::COUNT];
    for (term, count) in terms {
        if !is_number(term) {
            words[Script::of(term).index()] += count;
        }
    }
    let total: f32 = words.iter().sum();
    words.map(|w| w > 0.0 && w < MINORITY_SHARE * total)
}

/// A term's weight before idf: sublinear in its count, damped when its
/// script is a minority in the document (numbers never are).
fn tf_weight(term: &str, count: f32, minority: &[bool; Script::COUNT]) -> f32 {
    let damp = if minority[Script::of(term).index()] && !is_number(term) {
        MINORITY_WEIGHT
    } else {
        1.0
    };
    (1.0 + count.ln()) * damp
}

/// The terms of one document with their weights before idf (see
/// [`TfIdf::build`], which weighs a corpus the same way), sorted by term:
/// for an index that adds documents one at a time.
pub fn term_weights<'a>(text: &'a PreparedText, options: &TfIdfOptions) -> Vec<(&'a str, f32)> {
    let mut counts: AHashMap<&str, f32> = AHashMap::new();
    for (token, count) in token_counts(text, options) {
        *counts.entry(term(token)).or_default() += count;
    }
    let minority = minority_scripts(counts.iter().map(|(&t, &c)| (t, c)));
    let mut weights: Vec<(&str, f32)> = counts
        .into_iter()
        .map(|(t, c)| (t, tf_weight(t, c, &minority)))
        .collect();
    weights.sort_unstable_by(|a, b| a.0.cmp(b.0));
    weights
}

/// Smoothed inverse document frequency of a term in `df` of the `n`
/// documents written in its script.
pub fn idf(df: u32, n: u32) -> f32 {
    ((1.0 + n as f32) / (1.0 + df as f32)).ln() + 1.0
}

/// For each term, its most frequent spelling (in most documents; ties go to
/// the shorter, then the smaller spelling).
fn most_common_spellings(
    vocabulary: &[String],
    spellings: &AHashMap<&str, (u32, u32)>,
) -> Vec<String> {
    let mut best: Vec<Option<(&str, u32)>> = vec![None; vocabulary.len()];
    for (&spelling, &(id, documents)) in spellings {
        let slot = &mut best[id as usize];
        let better = match *slot {
            None => true,
            Some((current, count)) => {
                (
                    documents,
                    std::cmp::Reverse(spelling.len()),
                    std::cmp::Reverse(spelling),
                ) > (
                    count,
                    std::cmp::Reverse(current.len()),
                    std::cmp::Reverse(current),
                )
            }
        };
        if better {
            *slot = Some((spelling, documents));
        }
    }
    best.into_iter()
        .zip(vocabulary)
        .map(|(b, term)| b.map_or_else(|| term.clone(), |(s, _)| s.to_owned()))
        .collect()
}

impl TfIdf {
    /// Builds the vectors of prepared texts (in parallel where it pays).
    pub fn build(texts: &[PreparedText], options: &TfIdfOptions) -> TfIdf {
        let counts: Vec<Vec<(&str, f32)>> = texts
            .par_iter()
            .map(|text| token_counts(text, options))
            .collect();
        // Ids in order of first appearance in corpus order: deterministic.
        let mut ids: AHashMap<&str, u32> = AHashMap::new();
        let mut vocabulary: Vec<String> = Vec::new();
        let mut document_frequency: Vec<u32> = Vec::new();
        let mut last_doc: Vec<usize> = Vec::new();
        let mut spellings: AHashMap<&str, (u32, u32)> = AHashMap::new();
        let with_ids: Vec<Vec<(u32, f32)>> = counts
            .iter()
            .enumerate()
            .map(|(doc, tokens)| {
                tokens
                    .iter()
                    .map(|&(token, count)| {
                        let term = term(token);
                        let id = *ids.entry(term).or_insert_with(|| {
                            vocabulary.push(term.to_owned());
                            document_frequency.push(0);
                            last_doc.push(usize::MAX);
                            (vocabulary.len() - 1) as u32
                        });
                        if last_doc[id as usize] != doc {
                            last_doc[id as usize] = doc;
                            document_frequency[id as usize] += 1;
                        }
                        spellings.entry(token).or_insert((id, 0)).1 += 1;
                        (id, count)
                    })
                    .collect()
            })
            .collect();
        let display = most_common_spellings(&vocabulary, &spellings);
        // A term is rare or common among the documents written in its
        // script, not among all: in a corpus of English and Arabic articles,
        // an Arabic word in every Arabic article is common, however few the
        // Arabic articles are. So each script has its own document count.
        let script_of: Vec<usize> = vocabulary.iter().map(|t| Script::of(t).index()).collect();
        let mut documents_in = [0u32; Script::COUNT];
        for doc in &with_ids {
            let mut seen = [false; Script::COUNT];
            for &(id, _) in doc {
                seen[script_of[id as usize]] = true;
            }
            for (count, seen) in documents_in.iter_mut().zip(seen) {
                *count += seen as u32;
            }
        }
        let idf: Vec<f32> = document_frequency
            .iter()
            .zip(&script_of)
            .map(|(&df, &script)| idf(df, documents_in[script]))
            .collect();
        let vectors = with_ids
            .into_par_iter()
            .map(|entries| {
                // Spellings of one term add up before the sublinear scaling.
                let mut v = SparseVector::from_entries(entries);
                let entries = || {
                    v.terms
                        .iter()
                        .map(|&id| (id, vocabulary[id as usize].as_str()))
                        .zip(v.weights.iter().copied())
                };
                let minority = minority_scripts(entries().map(|((_, t), count)| (t, count)));
                let weights: Vec<f32> = entries()
                    .map(|((id, t), count)| tf_weight(t, count, &minority) * idf[id as usize])
                    .collect();
                v.weights = weights;
                v.normalize();
                v
            })
            .collect();
        TfIdf {
            vectors,
            vocabulary,
            display,
        }
    }

    /// How a term is most often written in the corpus.
    pub fn display(&self, id: u32) -> &str {
        &self.display[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(title: &str, body: &str) -> PreparedText {
        let title = crate::text::normalize(title);
        let title_len = title.len();
        PreparedText {
            text: format!("{title} {}", crate::text::normalize(body)),
            title_len,
        }
    }

    #[test]
    fn similar_texts_are_closer() {
        let texts = [
            prepared(
                "Earthquake hits Chile",
                "A strong earthquake struck northern Chile on Tuesday.",
            ),
            prepared(
                "Chile earthquake",
                "The earthquake in Chile killed six people, officials said.",
            ),
            prepared(
                "Oscar nominations",
                "The film academy announced the Oscar nominations.",
            ),
        ];
        let tfidf = TfIdf::build(&texts, &TfIdfOptions::default());
        let v = &tfidf.vectors;
        assert!(v[0].dot(&v[1]) > v[0].dot(&v[2]));
        assert!((v[0].norm() - 1.0).abs() < 1e-5);
        // Stop words of the document's language are gone.
        assert!(!tfidf.vocabulary.iter().any(|t| t == "the" || t == "on"));
    }

    #[test]
    fn rarity_is_judged_within_a_script() {
        // One Arabic word in both Arabic documents, one English word in one
        // of three English documents: among its own script's documents the
        // Arabic word is common, so it weighs less than the English one.
        let texts = [
            prepared("", "موسكو روسيا"),
            prepared("", "موسكو سوريا"),
            prepared("", "earthquake coast"),
            prepared("", "election vote"),
            prepared("", "harvest crops"),
        ];
        let tfidf = TfIdf::build(&texts, &TfIdfOptions::default());
        let weight = |doc: usize, term: &str| {
            let v = &tfidf.vectors[doc];
            let id = tfidf.display.iter().position(|t| t == term).unwrap() as u32;
            v.weights[v.terms.binary_search(&id).unwrap()]
        };
        assert!(weight(0, "موسكو") < weight(0, "روسيا"));
        assert!((weight(2, "earthquake") - weight(2, "coast")).abs() < 1e-6);
    }

    #[test]
    fn a_minority_script_weighs_less() {
        let texts = [
            prepared("", "بوتين اوباما موسكو واشنطن سوريا اوكرانيا نيويورك putin"),
            prepared("", "putin obama"),
        ];
        let tfidf = TfIdf::build(&texts, &TfIdfOptions::default());
        let v = &tfidf.vectors[0];
        let weight = |term: &str| {
            let id = tfidf.display.iter().position(|t| t == term).unwrap() as u32;
            v.weights[v.terms.binary_search(&id).unwrap()]
        };
        // Both words occur once, in every document of their script that
        // could hold them; only the damping tells them apart.
        assert!(weight("putin") < 0.5 * weight("بوتين"));
    }

    #[test]
    fn title_terms_weigh_more() {
        let texts = [prepared("alpha", "beta alpha"), prepared("gamma", "delta")];
        let tfidf = TfIdf::build(&texts, &TfIdfOptions::default());
        let top = tfidf.vectors[0].top_terms(1);
        assert_eq!(tfidf.vocabulary[top[0].0 as usize], "alpha");
    }
}
