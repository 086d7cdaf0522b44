//! TF-IDF over word tokens: stop words of each document's language removed,
//! title terms weighted up, sublinear term frequency, smoothed idf, unit
//! length.

use super::SparseVector;
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
    /// Term strings by id.
    pub vocabulary: Vec<String>,
    /// Number of documents each term occurs in, by id.
    pub document_frequency: Vec<u32>,
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

/// Weighted term counts of one document, sorted by term.
fn term_counts<'a>(text: &'a PreparedText, options: &TfIdfOptions) -> Vec<(&'a str, f32)> {
    let all: Vec<&str> = tokens(&text.text).collect();
    let languages = Languages::detect(all.iter().copied());
    let mut counts: AHashMap<&str, f32> = AHashMap::with_capacity(all.len());
    let title = tokens(text.title()).count();
    for (i, token) in all.into_iter().enumerate() {
        if is_content(token) && !languages.is_stop_word(token) {
            let weight = if i < title { options.title_weight } else { 1.0 };
            *counts.entry(term(token)).or_default() += weight;
        }
    }
    let mut counts: Vec<(&str, f32)> = counts.into_iter().collect();
    counts.sort_unstable_by(|a, b| a.0.cmp(b.0));
    counts
}

impl TfIdf {
    /// Builds the vectors of prepared texts (in parallel where it pays).
    pub fn build(texts: &[PreparedText], options: &TfIdfOptions) -> TfIdf {
        let counts: Vec<Vec<(&str, f32)>> = texts
            .par_iter()
            .map(|text| term_counts(text, options))
            .collect();
        // Ids in order of first appearance in corpus order: deterministic.
        let mut ids: AHashMap<&str, u32> = AHashMap::new();
        let mut vocabulary = Vec::new();
        let mut document_frequency: Vec<u32> = Vec::new();
        let with_ids: Vec<Vec<(u32, f32)>> = counts
            .iter()
            .map(|doc| {
                doc.iter()
                    .map(|&(term, count)| {
                        let id = *ids.entry(term).or_insert_with(|| {
                            vocabulary.push(term.to_owned());
                            document_frequency.push(0);
                            (vocabulary.len() - 1) as u32
                        });
                        document_frequency[id as usize] += 1;
                        (id, count)
                    })
                    .collect()
            })
            .collect();
        let n = texts.len() as f32;
        let idf: Vec<f32> = document_frequency
            .iter()
            .map(|&df| ((1.0 + n) / (1.0 + df as f32)).ln() + 1.0)
            .collect();
        let vectors = with_ids
            .into_par_iter()
            .map(|entries| {
                let weighted = entries
                    .into_iter()
                    .map(|(id, tf)| (id, (1.0 + tf.ln()) * idf[id as usize]))
                    .collect();
                let mut v = SparseVector::from_entries(weighted);
                v.normalize();
                v
            })
            .collect();
        TfIdf {
            vectors,
            vocabulary,
            document_frequency,
        }
    }

    /// The term string of an id.
    pub fn term(&self, id: u32) -> &str {
        &self.vocabulary[id as usize]
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
            prepared("Earthquake hits Chile", "A strong earthquake struck northern Chile on Tuesday."),
            prepared("Chile earthquake", "The earthquake in Chile killed six people, officials said."),
            prepared("Oscar nominations", "The film academy announced the Oscar nominations."),
        ];
        let tfidf = TfIdf::build(&texts, &TfIdfOptions::default());
        let v = &tfidf.vectors;
        assert!(v[0].dot(&v[1]) > v[0].dot(&v[2]));
        assert!((v[0].norm() - 1.0).abs() < 1e-5);
        // Stop words of the document's language are gone.
        assert!(!tfidf.vocabulary.iter().any(|t| t == "the" || t == "on"));
    }

    #[test]
    fn title_terms_weigh_more() {
        let texts = [prepared("alpha", "beta alpha"), prepared("gamma", "delta")];
        let tfidf = TfIdf::build(&texts, &TfIdfOptions::default());
        let top = tfidf.vectors[0].top_terms(1);
        assert_eq!(tfidf.term(top[0].0), "alpha");
    }
}
