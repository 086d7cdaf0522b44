//! Neighbours without comparing all pairs: a sparse product through an
//! inverted index. For each vector, the postings of its terms accumulate the
//! exact dot product with every later vector that shares a term, so only
//! pairs that share something are ever touched.
//!
//! Terms indexed for more than `max_posting` vectors are skipped: their
//! idf makes their weight, and so their share of any cosine, small, while
//! their postings would dominate the cost (it grows with the square of a
//! term's document frequency). Cosines are therefore exact up to those
//! terms' contributions.

use crate::vector::{Postings, SparseVector};
use rayon::prelude::*;

/// How neighbours are found.
#[derive(Clone, Debug)]
pub struct NeighbourOptions {
    /// A term in more vectors than this is skipped (see the module docs).
    pub max_posting: usize,
}

impl Default for NeighbourOptions {
    fn default() -> Self {
        NeighbourOptions { max_posting: 2000 }
    }
}

/// A vector whose products number at least the later vectors divided by
/// this collects them by scanning all later vectors (see [`edges`]).
const DENSE_SCAN_SHARE: usize = 4;

/// Edges `(a, b, weight)` with `a < b` and `weight(a, b, cosine)` at or
/// above `threshold`, sorted by `(a, b)`. The weight may only lower a
/// cosine (pairs under the threshold by their cosine are not weighed), and
/// pairs it drops are never stored.
pub fn edges(
    vectors: &[SparseVector],
    threshold: f32,
    options: &NeighbourOptions,
    weight: impl Fn(u32, u32, f32) -> f32 + Sync,
) -> Vec<(u32, u32, f32)> {
    let postings = Postings::new(vectors, options.max_posting);
    let n = vectors.len();
    (0..n)
        .into_par_iter()
        .map_init(
            || {
                let cursor = vec![u32::MAX; postings.terms()];
                (vec![0f32; n], Vec::<u32>::new(), cursor, Vec::new())
            },
            |(accumulator, touched, cursor, starts), a| {
                let v = &vectors[a];
                let later = &mut accumulator[a + 1..];
                let mut found: Vec<(u32, u32, f32)> = Vec::new();
                let mut keep = |b: u32, cosine: f32| {
                    if cosine >= threshold {
                        let weight = weight(a as u32, b, cosine);
                        if weight >= threshold {
                            found.push((a as u32, b, weight));
                        }
                    }
                };
                postings.starts_after(a, v, cursor, starts);
                let products = postings.count_products(v, starts);
                if products >= later.len() / DENSE_SCAN_SHARE {
                    // Products reach a large share of the later vectors:
                    // adding without noting who was touched, then one
                    // sequential pass over them, beats a branch per product.
                    postings.products(v, starts, |b, product| {
                        accumulator[b as usize] += product;
                    });
                    let later = &mut accumulator[a + 1..];
                    for (offset, &cosine) in later.iter().enumerate() {
                        if cosine >= threshold {
                            keep((a + 1 + offset) as u32, cosine);
                        }
                    }
                    later.fill(0.0);
                } else {
                    postings.products(v, starts, |b, product| {
                        let slot = &mut accumulator[b as usize];
                        if *slot == 0.0 {
                            touched.push(b);
                        }
                        *slot += product;
                    });
                    for &b in touched.iter() {
                        keep(b, std::mem::take(&mut accumulator[b as usize]));
                    }
                    touched.clear();
                    // Only the few pairs found are sorted, not all touched.
                    found.sort_unstable_by_key(|&(_, b, _)| b);
                }
                found
            },
        )
        .flatten_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(entries: &[(u32, f32)]) -> SparseVector {
        SparseVector::unit_from_entries(entries.to_vec())
    }

    #[test]
    fn finds_the_close_pairs_with_exact_cosines() {
        let vectors = [
            unit(&[(1, 1.0), (2, 1.0)]),
            unit(&[(7, 1.0)]),
            unit(&[(1, 1.0), (2, 0.9), (3, 0.1)]),
            unit(&[(2, 0.1), (3, 1.0)]),
        ];
        let found = edges(
            &vectors,
            0.5,
            &NeighbourOptions::default(),
            |_, _, cosine| cosine,
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (0, 2));
        assert!((found[0].2 - vectors[0].dot(&vectors[2])).abs() < 1e-6);
    }
}
