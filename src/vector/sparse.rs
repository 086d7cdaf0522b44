//! Sparse vectors with sorted term ids, and the operations stories need.

use serde::{Deserialize, Serialize};

/// A sparse vector: term ids ascending, one weight each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SparseVector {
    /// Term ids, strictly ascending.
    pub terms: Vec<u32>,
    /// Weights, aligned with `terms`.
    pub weights: Vec<f32>,
}

impl SparseVector {
    /// Builds from (term, weight) entries in any order; repeated terms add up.
    pub fn from_entries(mut entries: Vec<(u32, f32)>) -> Self {
        entries.sort_unstable_by_key(|e| e.0);
        let mut v = SparseVector {
            terms: Vec::with_capacity(entries.len()),
            weights: Vec::with_capacity(entries.len()),
        };
        for (term, weight) in entries {
            if v.terms.last() == Some(&term) {
                *v.weights.last_mut().expect("aligned") += weight;
            } else {
                v.terms.push(term);
                v.weights.push(weight);
            }
        }
        v
    }

    /// Like [`from_entries`](Self::from_entries), scaled to unit length.
    pub fn unit_from_entries(entries: Vec<(u32, f32)>) -> Self {
        let mut v = SparseVector::from_entries(entries);
        v.normalize();
        v
    }

    /// Number of non-zero entries.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether the vector has no entry.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Euclidean norm.
    pub fn norm(&self) -> f32 {
        self.weights.iter().map(|w| w * w).sum::<f32>().sqrt()
    }

    /// Scales to unit length (a zero vector stays zero).
    pub fn normalize(&mut self) {
        let norm = self.norm();
        if norm > 0.0 {
            self.weights.iter_mut().for_each(|w| *w /= norm);
        }
    }

    /// Dot product: the cosine similarity when both are unit vectors.
    pub fn dot(&self, other: &SparseVector) -> f32 {
        // A fold from +0.0: `sum()` starts at -0.0, which prints as "-0".
        self.shared_terms(other)
            .fold(0.0, |sum, (_, a, b)| sum + a * b)
    }

    /// The terms both vectors hold, ascending, each with its weight in
    /// `self` and in `other` (a merge of the two term lists).
    pub fn shared_terms<'a>(
        &'a self,
        other: &'a SparseVector,
    ) -> impl Iterator<Item = (u32, f32, f32)> + 'a {
        let (a, b) = (&self.terms, &other.terms);
        let (mut i, mut j) = (0, 0);
        std::iter::from_fn(move || {
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        let shared = (a[i], self.weights[i], other.weights[j]);
                        i += 1;
                        j += 1;
                        return Some(shared);
                    }
                }
            }
            None
        })
    }

    /// The unit-length mean of several vectors (their centroid direction).
    pub fn centroid<'a>(vectors: impl IntoIterator<Item = &'a SparseVector>) -> SparseVector {
        let entries: Vec<(u32, f32)> = vectors
            .into_iter()
            .flat_map(|v| v.terms.iter().copied().zip(v.weights.iter().copied()))
            .collect();
        SparseVector::unit_from_entries(entries)
    }

    /// The `n` heaviest terms, heaviest first (ties by term id).
    pub fn top_terms(&self, n: usize) -> Vec<(u32, f32)> {
        let mut entries: Vec<(u32, f32)> = self
            .terms
            .iter()
            .copied()
            .zip(self.weights.iter().copied())
            .collect();
        let heavier = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        // The order is total, so selecting the first `n`, then sorting only
        // them, gives what sorting all would (a centroid holds thousands).
        if n < entries.len() {
            entries.select_nth_unstable_by(n, heavier);
            entries.truncate(n);
        }
        entries.sort_unstable_by(heavier);
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The heaviest terms are the head of all terms sorted by weight
        /// (heaviest first, ties by id).
        #[test]
        fn top_terms_are_the_head_of_the_sorted_terms(
            weights in proptest::collection::btree_map(0u32..50, 0u8..8, 0..40),
            n in 0usize..45,
        ) {
            // Few distinct weights, so that ties are common.
            let v = SparseVector::from_entries(
                weights.iter().map(|(&t, &w)| (t, f32::from(w) / 4.0)).collect(),
            );
            let mut all: Vec<(u32, f32)> = v.terms.iter().copied().zip(v.weights.iter().copied()).collect();
            all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            all.truncate(n);
            proptest::prop_assert_eq!(v.top_terms(n), all);
        }
    }

    #[test]
    fn dot_and_centroid() {
        let mut a = SparseVector::from_entries(vec![(3, 1.0), (1, 1.0)]);
        let mut b = SparseVector::from_entries(vec![(1, 1.0), (2, 1.0), (1, 0.0)]);
        a.normalize();
        b.normalize();
        assert!((a.dot(&b) - 0.5).abs() < 1e-6);
        assert!((a.dot(&a) - 1.0).abs() < 1e-6);
        let c = SparseVector::centroid([&a, &b]);
        assert_eq!(c.terms, vec![1, 2, 3]);
        assert!((c.norm() - 1.0).abs() < 1e-6);
        assert_eq!(c.top_terms(1)[0].0, 1);
    }
}
