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
    /// `max_posting` of them gets an empty list, so that
    /// [`products_before`](Self::products_before) passes it over: its
    /// small idf weight adds little to any cosine, and at a million
    /// documents the common terms' lists held most of the index.
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

    /// For each term of vector `i` (`v`), where its list's entries after
    /// `i` start, written to `starts`. `cursor` (a slot per term, all
    /// `u32::MAX` at first, kept between calls) remembers each vector's
    /// place in its terms' lists: called for vectors in increasing order,
    /// the next vector holding a term sits right after the last one, so
    /// its place is found without a search (a binary search per term and
    /// vector cost as much as the products of rare terms). Any order is
    /// still right, a search settling what the cursor does not.
    pub fn starts_after(
        &self,
        i: usize,
        v: &SparseVector,
        cursor: &mut [u32],
        starts: &mut Vec<u32>,
    ) {
        starts.clear();
        starts.extend(v.terms.iter().map(|&t| {
            let Some(posting) = self.lists.get(t as usize).filter(|p| !p.is_empty()) else {
                return 0;
            };
            let next = cursor[t as usize].wrapping_add(1) as usize;
            let at = if posting.get(next).is_some_and(|&(j, _)| j as usize == i) {
                next
            } else {
                posting.partition_point(|&(j, _)| (j as usize) < i)
            };
            cursor[t as usize] = at as u32;
            (at + 1) as u32
        }));
    }

    /// Terms indexed (the cursor's length for [`starts_after`](Self::starts_after)).
    pub fn terms(&self) -> usize {
        self.lists.len()
    }

    /// How many calls [`products_before`](Self::products_before) would make
    /// with no end.
    pub fn count_products(&self, v: &SparseVector, starts: &[u32]) -> usize {
        v.terms
            .iter()
            .zip(starts)
            .filter_map(|(&t, &start)| {
                Some(
                    self.lists
                        .get(t as usize)?
                        .len()
                        .saturating_sub(start as usize),
                )
            })
            .sum()
    }

    /// Calls `add(j, w · w_j)` for every term `v` shares with an indexed
    /// vector `i < j < end` (`v` being vector `i`, `starts` from
    /// [`starts_after`](Self::starts_after)), moving each term's start past
    /// the vectors done: called again with a larger `end`, it goes on from
    /// there. The calls for one `j` sum to the dot product, over `v`'s terms
    /// in order.
    #[inline]
    pub fn products_before(
        &self,
        v: &SparseVector,
        starts: &mut [u32],
        end: u32,
        mut add: impl FnMut(u32, f32),
    ) {
        for ((&t, &w), start) in v.terms.iter().zip(&v.weights).zip(starts.iter_mut()) {
            let Some(posting) = self.lists.get(t as usize) else {
                continue;
            };
            let rest = posting.get(*start as usize..).unwrap_or(&[]);
            // The whole rest when its last vector is before the end (the
            // last tile, and most short lists): no test per product. Else
            // up to the end, found by reading on: those entries are read
            // for their products anyway, while a binary search for the end
            // was a chain of dependent loads per term and tile (200k
            // generated documents, four tiles: the neighbour stage 4.9-6.2 s
            // with the search, 3.8-4.6 s reading on).
            let within = match rest.last() {
                Some(&(j, _)) if j >= end => {
                    let mut within = 0;
                    for &(j, wj) in rest {
                        if j >= end {
                            break;
                        }
                        add(j, w * wj);
                        within += 1;
                    }
                    within
                }
                _ => {
                    for &(j, wj) in rest {
                        add(j, w * wj);
                    }
                    rest.len()
                }
            };
            *start += within as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The products after vector `i`, through a fresh cursor or one
    /// carried over from every vector before it.
    fn products_after(
        postings: &Postings,
        vectors: &[SparseVector],
        i: usize,
        cursor: &mut [u32],
    ) -> Vec<f32> {
        let mut starts = Vec::new();
        postings.starts_after(i, &vectors[i], cursor, &mut starts);
        let count = postings.count_products(&vectors[i], &starts);
        let mut dots = vec![0f32; vectors.len()];
        let mut calls = 0;
        // In two ranges: up to the vector after next, then the rest.
        for end in [i as u32 + 2, u32::MAX] {
            postings.products_before(&vectors[i], &mut starts, end, |j, p| {
                assert!(j as usize > i && j < end, "only later vectors, in range");
                dots[j as usize] += p;
                calls += 1;
            });
        }
        assert_eq!(count, calls);
        dots
    }

    #[test]
    fn products_sum_to_dot_products_with_later_vectors() {
        let vectors = [
            SparseVector::unit_from_entries(vec![(1, 1.0), (2, 1.0)]),
            SparseVector::unit_from_entries(vec![(2, 1.0), (3, 1.0)]),
            SparseVector::unit_from_entries(vec![(1, 1.0), (2, 2.0), (9, 1.0)]),
        ];
        let postings = Postings::new(&vectors, usize::MAX);
        let fresh = || vec![u32::MAX; postings.terms()];
        let dots = products_after(&postings, &vectors, 0, &mut fresh());
        assert_eq!(dots[0], 0.0);
        assert!((dots[1] - vectors[0].dot(&vectors[1])).abs() < 1e-6);
        assert!((dots[2] - vectors[0].dot(&vectors[2])).abs() < 1e-6);
        // Vectors in order through one cursor, or each through a fresh one
        // (in any order): the same products.
        let mut carried = fresh();
        for i in 0..vectors.len() {
            let through = products_after(&postings, &vectors, i, &mut carried);
            assert_eq!(
                through,
                products_after(&postings, &vectors, i, &mut fresh())
            );
        }
        let mut backwards = fresh();
        for i in (0..vectors.len()).rev() {
            let through = products_after(&postings, &vectors, i, &mut backwards);
            assert_eq!(
                through,
                products_after(&postings, &vectors, i, &mut fresh())
            );
        }
        // A term in more vectors than the index's cap is left out.
        let capped = Postings::new(&vectors, 2);
        let without = products_after(&capped, &vectors, 0, &mut vec![u32::MAX; capped.terms()]);
        assert!(without[2] > 0.0 && without[2] < dots[2]);
        assert_eq!(without[1], 0.0);
    }
}
