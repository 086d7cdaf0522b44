//! A deterministic generator of large test corpora from real articles,
//! with near-duplicates of known origin injected, for benchmarks and recall
//! tests at any size.
//!
//! Each generated original is a fresh combination of lines drawn from the
//! base articles (so originals are distinct from each other, yet real
//! text); a share of the output are copies of earlier originals with the
//! edits republishers make: a site header or footer line, a few words
//! replaced, punctuation changed, occasionally a line dropped.

use crate::corpus::{Document, Origin};

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Documents in the output.
    pub documents: usize,
    /// Share of documents that are edited copies of earlier ones.
    pub duplicate_share: f64,
    /// Seed of the generator: the same seed gives the same corpus.
    pub seed: u64,
}

/// A generated document and, for a copy, the id it was copied from.
#[derive(Clone, Debug)]
pub struct SynthDocument {
    /// The document.
    pub document: Document,
    /// The original of a copy.
    pub copy_of: Option<String>,
}

/// xorshift64*: small, fast, and fixed forever (the corpus must not change
/// when a crate does). Also what tests and benches draw synthetic graphs
/// and corpora from.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        crate::sketch::hash::reduce(self.next(), n)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() <= p
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const HEADERS: [&str; 4] = [
    "Share this article on social media",
    "Subscribe to our daily newsletter for the latest headlines",
    "تابعونا على تويتر لتصلكم آخر الأخبار",
    "All rights reserved. Reproduction without permission is prohibited.",
];

/// Generates the corpus from the lines of `base` (which must hold some
/// non-empty lines). Ids are `g` and a zero-padded number; dates spread
/// over 2016.
pub fn generate(base: &[Document], options: &SynthOptions) -> Vec<SynthDocument> {
    let lines: Vec<&str> = base
        .iter()
        .flat_map(|d| std::iter::once(d.title.as_str()).chain(d.body.lines()))
        .map(str::trim)
        .filter(|l| l.chars().count() >= 30)
        .collect();
    assert!(!lines.is_empty(), "the base articles hold no usable line");
    let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
    let mut rng = Rng(options.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out: Vec<SynthDocument> = Vec::with_capacity(options.documents);
    let mut originals: Vec<usize> = Vec::new();
    for i in 0..options.documents {
        let id = format!("g{i:08}");
        let day = rng.below(366);
        let date = format!("2016-{:02}-{:02}", 1 + day / 31 % 12, 1 + day % 28);
        if !originals.is_empty() && rng.chance(options.duplicate_share) {
            let source = originals[rng.below(originals.len())];
            let original = &out[source].document;
            let body = republish(&original.body, &words, &mut rng);
            let copy_of = Some(original.id.clone());
            let document = Document {
                source: Some(format!("site{}", rng.below(50))),
                origin: Origin::whole("generated"),
                position: i,
                ..Document::new(&id, &original.title, &body)
            }
            .dated(Some(date));
            out.push(SynthDocument { document, copy_of });
        } else {
            let count = 4 + rng.below(6);
            let picked: Vec<&str> = (0..count).map(|_| lines[rng.below(lines.len())]).collect();
            let title: String = picked[0]
                .split_whitespace()
                .take(10)
                .collect::<Vec<_>>()
                .join(" ");
            let document = Document {
                source: Some(format!("site{}", rng.below(50))),
                origin: Origin::whole("generated"),
                position: i,
                ..Document::new(&id, &title, &picked[1..].join("\n"))
            }
            .dated(Some(date));
            originals.push(out.len());
            out.push(SynthDocument {
                document,
                copy_of: None,
            });
        }
    }
    out
}

/// The edits of a republisher.
fn republish(body: &str, words: &[&str], rng: &mut Rng) -> String {
    let mut lines: Vec<String> = body.lines().map(str::to_owned).collect();
    if lines.len() >= 7 && rng.chance(0.3) {
        lines.remove(rng.below(lines.len()));
    }
    for _ in 0..rng.below(4) {
        let l = rng.below(lines.len());
        let mut tokens: Vec<&str> = lines[l].split(' ').collect();
        let t = rng.below(tokens.len());
        tokens[t] = words[rng.below(words.len())];
        lines[l] = tokens.join(" ");
    }
    if rng.chance(0.5) {
        for line in &mut lines {
            *line = line.replace(',', " ,").replace('"', "«");
        }
    }
    if rng.chance(0.5) {
        lines.insert(0, HEADERS[rng.below(HEADERS.len())].to_owned());
    }
    if rng.chance(0.5) {
        lines.push(HEADERS[rng.below(HEADERS.len())].to_owned());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<Document> {
        (0..20)
            .map(|i| Document {
                id: format!("b{i}"),
                title: format!("Base article number {i} about something that happened"),
                body: (0..6)
                    .map(|j| {
                        format!("Line {j} of base article {i} tells a part of the story in detail")
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
                date: None,
                time: None,
                source: None,
                url: None,
                origin: Origin::whole("test"),
                position: i,
            })
            .collect()
    }

    #[test]
    fn same_seed_same_corpus() {
        let options = SynthOptions {
            documents: 200,
            duplicate_share: 0.2,
            seed: 7,
        };
        let a = generate(&base(), &options);
        let b = generate(&base(), &options);
        assert_eq!(a.len(), 200);
        assert!(a.iter().zip(&b).all(|(x, y)| x.document == y.document));
        let copies = a.iter().filter(|d| d.copy_of.is_some()).count();
        assert!((20..=60).contains(&copies), "{copies} copies");
        let other = generate(&base(), &SynthOptions { seed: 8, ..options });
        assert!(a.iter().zip(&other).any(|(x, y)| x.document != y.document));
    }
}
