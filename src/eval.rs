//! Scoring predicted stories against gold labels: B-cubed and pairwise
//! precision, recall and F1, the adjusted Rand index, and normalised mutual
//! information (arithmetic-mean normalisation, as scikit-learn's default).

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Scores of one clustering against gold labels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scores {
    /// Documents scored (in both the prediction and the labels).
    pub documents: usize,
    /// Distinct gold stories among them.
    pub gold_stories: usize,
    /// Distinct predicted stories among them.
    pub predicted_stories: usize,
    /// B-cubed precision.
    pub bcubed_precision: f64,
    /// B-cubed recall.
    pub bcubed_recall: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
    /// Pairwise precision: share of predicted same-story pairs that are gold pairs.
    pub pairwise_precision: f64,
    /// Pairwise recall: share of gold same-story pairs that are predicted.
    pub pairwise_recall: f64,
    /// Pairwise F1.
    pub pairwise_f1: f64,
    /// Adjusted Rand index.
    pub adjusted_rand_index: f64,
    /// Normalised mutual information.
    pub nmi: f64,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn pairs(n: u64) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// Dense cluster numbers for string labels, in order of first appearance.
fn numbered<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    labels
        .map(|l| {
            let next = ids.len();
            *ids.entry(l).or_insert(next)
        })
        .collect()
}

/// Scores `predicted` against `gold`: the i-th entries of both are the same
/// document's story labels.
pub fn score(predicted: &[&str], gold: &[&str]) -> Scores {
    assert_eq!(predicted.len(), gold.len(), "one label each");
    let n = predicted.len();
    let p = numbered(predicted.iter().copied());
    let g = numbered(gold.iter().copied());
    let (np, ng) = (
        p.iter().max().map_or(0, |m| m + 1),
        g.iter().max().map_or(0, |m| m + 1),
    );
    // Ordered, so every sum below adds in the same order on every run (a
    // hash map's order would change the last digits).
    let mut joint: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    let mut p_size = vec![0u64; np];
    let mut g_size = vec![0u64; ng];
    for (&a, &b) in p.iter().zip(&g) {
        *joint.entry((a, b)).or_default() += 1;
        p_size[a] += 1;
        g_size[b] += 1;
    }
    if n == 0 {
        return Scores {
            documents: 0,
            gold_stories: 0,
            predicted_stories: 0,
            bcubed_precision: 0.0,
            bcubed_recall: 0.0,
            bcubed_f1: 0.0,
            pairwise_precision: 0.0,
            pairwise_recall: 0.0,
            pairwise_f1: 0.0,
            adjusted_rand_index: 0.0,
            nmi: 0.0,
        };
    }

    // B-cubed: each document's share of its cluster that shares its gold
    // story, and of its gold story that shares its cluster. A cell of size
    // c contributes c documents with the same ratios.
    let (mut bp, mut br) = (0.0, 0.0);
    for (&(a, b), &c) in &joint {
        bp += c as f64 * c as f64 / p_size[a] as f64;
        br += c as f64 * c as f64 / g_size[b] as f64;
    }
    let (bp, br) = (bp / n as f64, br / n as f64);

    let together: f64 = joint.values().map(|&c| pairs(c)).sum();
    let predicted_pairs: f64 = p_size.iter().map(|&c| pairs(c)).sum();
    let gold_pairs: f64 = g_size.iter().map(|&c| pairs(c)).sum();
    let ratio = |num: f64, den: f64| if den == 0.0 { 1.0 } else { num / den };
    let pp = ratio(together, predicted_pairs);
    let pr = ratio(together, gold_pairs);

    let expected = predicted_pairs * gold_pairs / pairs(n as u64).max(1.0);
    let max_index = (predicted_pairs + gold_pairs) / 2.0;
    let ari = if max_index == expected {
        1.0
    } else {
        (together - expected) / (max_index - expected)
    };

    let entropy = |sizes: &[u64]| -> f64 {
        sizes
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let q = c as f64 / n as f64;
                -q * q.ln()
            })
            .sum()
    };
    let (hp, hg) = (entropy(&p_size), entropy(&g_size));
    let mutual: f64 = joint
        .iter()
        .map(|(&(a, b), &c)| {
            let c = c as f64;
            c / n as f64 * (c * n as f64 / (p_size[a] as f64 * g_size[b] as f64)).ln()
        })
        .sum();
    let nmi = if hp + hg == 0.0 {
        1.0
    } else {
        (2.0 * mutual / (hp + hg)).clamp(0.0, 1.0)
    };

    Scores {
        documents: n,
        gold_stories: ng,
        predicted_stories: np,
        bcubed_precision: bp,
        bcubed_recall: br,
        bcubed_f1: f1(bp, br),
        pairwise_precision: pp,
        pairwise_recall: pr,
        pairwise_f1: f1(pp, pr),
        adjusted_rand_index: ari,
        nmi,
    }
}

/// Reads gold labels: `doc_id<TAB>story` lines, an optional header
/// (`doc_id<TAB>…`), blank lines ignored. Returns the labels and the
/// problems (line number, message) of malformed lines or repeated ids.
pub fn parse_labels(text: &str) -> (HashMap<String, String>, Vec<(usize, String)>) {
    let mut labels = HashMap::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || (i == 0 && line.starts_with("doc_id\t")) {
            continue;
        }
        match line.split_once('\t') {
            Some((id, story)) if !id.trim().is_empty() && !story.trim().is_empty() => {
                let story = story.split('\t').next().unwrap_or(story).trim();
                if labels
                    .insert(id.trim().to_owned(), story.to_owned())
                    .is_some()
                {
                    problems.push((i + 1, format!("id '{}' is labelled twice", id.trim())));
                }
            }
            _ => problems.push((i + 1, "expected doc_id<TAB>story".to_owned())),
        }
    }
    (labels, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_identical_to_the_last_bit_on_every_call() {
        // Many cells, so a different summing order would show.
        let predicted: Vec<String> = (0..2000).map(|i| format!("p{}", i % 97)).collect();
        let gold: Vec<String> = (0..2000).map(|i| format!("g{}", (i * 7) % 89)).collect();
        let predicted: Vec<&str> = predicted.iter().map(String::as_str).collect();
        let gold: Vec<&str> = gold.iter().map(String::as_str).collect();
        let bits = |s: &Scores| {
            [
                s.bcubed_precision,
                s.bcubed_recall,
                s.nmi,
                s.adjusted_rand_index,
            ]
            .map(f64::to_bits)
        };
        let first = bits(&score(&predicted, &gold));
        for _ in 0..20 {
            assert_eq!(bits(&score(&predicted, &gold)), first);
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn perfect_clustering_scores_one() {
        let s = score(&["x", "x", "y"], &["a", "a", "b"]);
        for v in [s.bcubed_f1, s.pairwise_f1, s.adjusted_rand_index, s.nmi] {
            assert!(close(v, 1.0), "{s:?}");
        }
    }

    #[test]
    fn hand_computed_case() {
        // Gold {1,2,3} {4,5}; predicted {1,2} {3,4,5}.
        let s = score(&["p", "p", "q", "q", "q"], &["a", "a", "a", "b", "b"]);
        // B-cubed precision: docs 1,2: 2/2; doc 3: 1/3; docs 4,5: 2/3 → (2 + 1/3 + 4/3)/5.
        assert!(close(
            s.bcubed_precision,
            (2.0 + 1.0 / 3.0 + 4.0 / 3.0) / 5.0
        ));
        // Recall: docs 1,2: 2/3; doc 3: 1/3; docs 4,5: 2/2 → (4/3 + 1/3 + 2)/5.
        assert!(close(s.bcubed_recall, (4.0 / 3.0 + 1.0 / 3.0 + 2.0) / 5.0));
        // Pairs: predicted {12, 34, 35, 45}, gold {12, 13, 23, 45}: 2 shared.
        assert!(close(s.pairwise_precision, 0.5));
        assert!(close(s.pairwise_recall, 0.5));
        // ARI: index 2, expected 4·4/10 = 1.6, max 4 → 0.4/2.4.
        assert!(close(s.adjusted_rand_index, 0.4 / 2.4));
        // NMI from the contingency table [[2,0],[1,2]].
        let h = |ps: &[f64]| -ps.iter().map(|p| p * p.ln()).sum::<f64>();
        let hp = h(&[0.4, 0.6]);
        let hg = h(&[0.6, 0.4]);
        let mi = 0.4 * (0.4_f64 / (0.4 * 0.6)).ln()
            + 0.2 * (0.2_f64 / (0.6 * 0.6)).ln()
            + 0.4 * (0.4_f64 / (0.6 * 0.4)).ln();
        assert!(close(s.nmi, 2.0 * mi / (hp + hg)));
        assert_eq!((s.gold_stories, s.predicted_stories), (2, 2));
    }

    #[test]
    fn everything_in_one_cluster() {
        // Gold {1,2} {3,4}; predicted all together.
        let s = score(&["p"; 4], &["a", "a", "b", "b"]);
        assert!(close(s.bcubed_precision, 0.5));
        assert!(close(s.bcubed_recall, 1.0));
        assert!(close(s.pairwise_precision, 2.0 / 6.0));
        assert!(close(s.adjusted_rand_index, 0.0));
        assert!(close(s.nmi, 0.0));
    }

    #[test]
    fn all_singletons() {
        let s = score(&["p", "q", "r", "s"], &["a", "a", "b", "b"]);
        assert!(close(s.bcubed_precision, 1.0));
        assert!(close(s.bcubed_recall, 0.5));
        assert!(close(s.pairwise_recall, 0.0));
        assert!(close(s.pairwise_f1, 0.0));
    }

    #[test]
    fn parses_labels_with_header_and_problems() {
        let (labels, problems) = parse_labels("doc_id\tstory\na\t1\n\nb\t2\nbad line\na\t3\n");
        assert_eq!(labels.len(), 2);
        assert_eq!(labels["b"], "2");
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].0, 5);
    }
}
