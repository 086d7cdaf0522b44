//! An inverted index over a list of sparse vectors: dot products without
//! comparing all pairs, since a vector's postings reach exactly the vectors
//! it shares a term with.

use super::SparseVector;

/// For each term, the (vector number, weight) pairs of the indexed vectors
/// holding it, in vector order.
#[derive(Debug, Default)]
pub struct Postings {
    /// Indexed by term id (ids are dense: a vocabulary's numbers), so a
    /// lookup in the inner loop is an index, not a hash.
    lists: Vec<Vec<(u32, f32)>>,
}

impl Postings {
    /// Indexes `vectors`, numbered by their position. A term in more than
    /// `max_posting` of them gets an empty list: every search skips such
    /// terms (see [`products_after`](Self::products_after)), and at a
    /// million documents the common terms' lists held most of the index.
    pub fn new(vectors: &[SparseVector], max_posting: usize) -> Self {
        let terms = vectors
            .iter()
            .filter_map(|v| v.terms.last())
            .max()
            .map_or(0, |&t| t as usize + 1);
        let mut frequency = vec![0usize; terms];
        for v in vectors {
            for &t in &v.terms {
                frequency[t as usize] += 1;
            }
        }
        // Lists made at their final length: grown by pushes, they held up
        // to twice their entries.
        let mut lists: Vec<Vec<(u32, f32)>> = frequency
            .iter()
            .map(|&f| Vec::with_capacity(if f <= max_posting { f } else { 0 }))
            .collect();
        for (number, v) in vectors.iter().enumerate() {
            for (&t, &w) in v.terms.iter().zip(&v.weights) {
                if frequency[t as usize] <= max_posting {
                    lists[t as usize].push((number as u32, w));
                }
            }
        }
        Postings { lists }
    }

    /// How many calls [`products_after`](Self::products_after) would make.
    pub fn count_products_after(&self, i: usize, v: &SparseVector, max_posting: usize) -> usize {
        v.terms
            .iter()
            .filter_map(|&t| self.lists.get(t as usize))
            .filter(|posting| posting.len() <= max_posting)
            .map(|posting| posting.len() - posting.partition_point(|&(j, _)| j as usize <= i))
            .sum()
    }

    /// Calls `add(j, w · w_j)` for every term `v` shares with an indexed
    /// vector `j > i` (`v` being vector `i`): the calls for one `j` sum to
    /// the dot product. Terms indexed for more than `max_posting` vectors
    /// are skipped.
    #[inline]
    pub fn products_after(
        &self,
        i: usize,
        v: &SparseVector,
        max_posting: usize,
        mut add: impl FnMut(u32, f32),
    ) {
        for (t, &w) in v.terms.iter().zip(&v.weights) {
            let Some(posting) = self.lists.get(*t as usize) else {
                continue;
            };
            if posting.len() > max_posting {
                continue;
            }
            let after = posting.partition_point(|&(j, _)| j as usize <= i);
            for &(j, wj) in &posting[after..] {
                add(j, w * wj);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_sum_to_dot_products_with_later_vectors() {
        let vectors = [
            SparseVector::unit_from_entries(vec![(1, 1.0), (2, 1.0)]),
            SparseVector::unit_from_entries(vec![(2, 1.0), (3, 1.0)]),
            SparseVector::unit_from_entries(vec![(1, 1.0), (2, 2.0), (9, 1.0)]),
        ];
        let postings = Postings::new(&vectors, usize::MAX);
        let mut dots = [0f32; 3];
        postings.products_after(0, &vectors[0], usize::MAX, |j, p| dots[j as usize] += p);
        assert_eq!(dots[0], 0.0);
        assert!((dots[1] - vectors[0].dot(&vectors[1])).abs() < 1e-6);
        assert!((dots[2] - vectors[0].dot(&vectors[2])).abs() < 1e-6);
        // A term in more vectors than allowed is skipped, searched with
        // that cap or indexed with it.
        let mut skipped = [0f32; 3];
        postings.products_after(0, &vectors[0], 2, |j, p| skipped[j as usize] += p);
        assert!(skipped[2] > 0.0 && skipped[2] < dots[2]);
        let capped = Postings::new(&vectors, 2);
        let mut without = [0f32; 3];
        capped.products_after(0, &vectors[0], usize::MAX, |j, p| without[j as usize] += p);
        assert_eq!(without, skipped);
    }
}
