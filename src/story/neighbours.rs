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

use super::time::TimeDecay;
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
/// this collects each tile's by scanning the whole tile (see [`edges`]).
const DENSE_SCAN_SHARE: usize = 4;

/// Later vectors are visited a tile of this many at a time, their products
/// summed in one tile-wide accumulator: at a million vectors an accumulator
/// over all of them (4 MB a thread) missed the cache on most products,
/// while a tile's (256 KB) stays in the core's own cache.
const TILE: usize = 1 << 16;

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
    edges_in_tiles(vectors, threshold, options, weight, TILE)
}

/// [`edges`] with each cosine weighed by the time factor of its two units
/// (`times`, by unit; see [`TimeDecay::factor`]).
pub fn dated_edges(
    vectors: &[SparseVector],
    times: &[Option<i64>],
    decay: &TimeDecay,
    threshold: f32,
    options: &NeighbourOptions,
) -> Vec<(u32, u32, f32)> {
    let times = PackedTimes::new(times);
    edges(vectors, threshold, options, |a, b, cosine| {
        cosine * times.factor(decay, a, b)
    })
}

/// Times as the search reads them: one for each pair whose cosine
/// reaches the threshold, at a unit anywhere in a [`TILE`], so their size
/// is what misses the cache. Seconds after the corpus's earliest time,
/// four bytes a unit, where its times span under 136 years (any corpus of
/// news); else the times as given. (1M generated documents: the stage
/// 15.1-15.4 s with eight bytes a unit against 17.8-18.8 s with an
/// `Option<i64>`'s sixteen, and 12.0 / 13.4 s with four against 13.6 /
/// 14.0 s with eight; no difference measured at 100k or 400k.)
enum PackedTimes<'t> {
    /// Seconds after the earliest time; [`Self::UNDATED_OFFSET`] for an
    /// undated unit.
    Offsets(Vec<u32>),
    /// The times as given, for a span offsets cannot hold.
    Times(&'t [Option<i64>]),
}

impl<'t> PackedTimes<'t> {
    /// Stands for "undated" among offsets, above any offset kept.
    const UNDATED_OFFSET: u32 = u32::MAX;

    fn new(times: &'t [Option<i64>]) -> Self {
        let earliest = times.iter().flatten().min().copied().unwrap_or(0);
        let latest = times.iter().flatten().max().copied().unwrap_or(0);
        if latest.abs_diff(earliest) < Self::UNDATED_OFFSET as u64 {
            PackedTimes::Offsets(
                times
                    .iter()
                    .map(|t| t.map_or(Self::UNDATED_OFFSET, |t| (t - earliest) as u32))
                    .collect(),
            )
        } else {
            PackedTimes::Times(times)
        }
    }

    /// The time of `unit`, if it has one: its offset stands for it, since
    /// only the gaps between times count.
    #[inline]
    fn time(&self, unit: u32) -> Option<i64> {
        match self {
            PackedTimes::Offsets(offsets) => {
                let offset = offsets[unit as usize];
                (offset != Self::UNDATED_OFFSET).then_some(offset as i64)
            }
            PackedTimes::Times(times) => times[unit as usize],
        }
    }

    /// [`TimeDecay::factor`] of units `a` and `b`.
    #[inline]
    fn factor(&self, decay: &TimeDecay, a: u32, b: u32) -> f32 {
        decay.factor(self.time(a), self.time(b))
    }
}

/// [`edges`], visiting later vectors `tile` at a time.
fn edges_in_tiles(
    vectors: &[SparseVector],
    threshold: f32,
    options: &NeighbourOptions,
    weight: impl Fn(u32, u32, f32) -> f32 + Sync,
    tile: usize,
) -> Vec<(u32, u32, f32)> {
    let postings = Postings::new(vectors, options.max_posting);
    let n = vectors.len();
    (0..n)
        .into_par_iter()
        .map_init(
            || {
                let cursor = vec![u32::MAX; postings.terms()];
                (
                    vec![0f32; tile.min(n)],
                    Vec::<u32>::new(),
                    cursor,
                    Vec::new(),
                )
            },
            |(accumulator, touched, cursor, starts), a| {
                let v = &vectors[a];
                let mut found: Vec<(u32, u32, f32)> = Vec::new();
                let mut keep = |b: usize, cosine: f32| {
                    if cosine >= threshold {
                        let weight = weight(a as u32, b as u32, cosine);
                        if weight >= threshold {
                            found.push((a as u32, b as u32, weight));
                        }
                    }
                };
                postings.starts_after(a, v, cursor, starts);
                // Products spread over the tiles: every tile is scanned or
                // none, judged by the average.
                let later = n - (a + 1);
                let products = postings.count_products(v, starts);
                let dense = products >= later / DENSE_SCAN_SHARE;
                if !dense && touched.len() < products {
                    // A slot for every product: each writes one, at the
                    // count of those kept before it.
                    touched.resize(products, 0);
                }
                let mut first = a + 1;
                while first < n {
                    let end = (first + tile).min(n);
                    let tile = &mut accumulator[..end - first];
                    if dense {
                        // Products reach a large share of the tile: adding
                        // without noting who was touched, then one
                        // sequential pass, beats a branch per product.
                        postings.products_before(v, starts, end as u32, |b, product| {
                            tile[b as usize - first] += product;
                        });
                        drain_reaching(tile, threshold, |offset, cosine| {
                            keep(first + offset, cosine)
                        });
                    } else {
                        // Each product's vector is written down, and kept
                        // (the count moved on) only when its sum was 0: no
                        // branch to mispredict.
                        let mut count = 0;
                        postings.products_before(v, starts, end as u32, |b, product| {
                            let slot = &mut tile[b as usize - first];
                            touched[count] = b;
                            count += (*slot == 0.0) as usize;
                            *slot += product;
                        });
                        for &b in &touched[..count] {
                            keep(b as usize, std::mem::take(&mut tile[b as usize - first]));
                        }
                    }
                    first = end;
                }
                if !dense {
                    // Only the few pairs found are sorted, not all touched.
                    found.sort_unstable_by_key(|&(_, b, _)| b);
                }
                found
            },
        )
        .flatten_iter()
        .collect()
}

/// Sums compared at once by [`drain_reaching`]: a cache line's worth, whose
/// test compiles to a few vector instructions.
const LANES: usize = 16;

/// Calls `keep(offset, sum)` for each sum of `tile` at or above
/// `threshold`, in order, and leaves the tile all zeros. In one pass of
/// [`LANES`] sums at a time, most of which hold none at the threshold:
/// a scan a sum at a time, then zeroing, cost as much as the products.
fn drain_reaching(tile: &mut [f32], threshold: f32, mut keep: impl FnMut(usize, f32)) {
    let mut chunks = tile.chunks_exact_mut(LANES);
    let mut base = 0;
    for chunk in &mut chunks {
        if chunk
            .iter()
            .fold(false, |any, &sum| any | (sum >= threshold))
        {
            for (i, &sum) in chunk.iter().enumerate() {
                if sum >= threshold {
                    keep(base + i, sum);
                }
            }
        }
        chunk.fill(0.0);
        base += LANES;
    }
    for (i, slot) in chunks.into_remainder().iter_mut().enumerate() {
        let sum = std::mem::take(slot);
        if sum >= threshold {
            keep(base + i, sum);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Packed times give the factor the times themselves give.
        #[test]
        fn packed_times_give_the_same_factor(
            a in proptest::option::of(i64::MIN + 1..=i64::MAX),
            b in proptest::option::of(-4_000_000_000i64..4_000_000_000),
            scale_days in 0.1f32..60.0,
            floor in 0.0f32..1.0,
        ) {
            let decay = TimeDecay { scale_days, floor };
            let times = [a, b];
            let packed = PackedTimes::new(&times);
            proptest::prop_assert_eq!(packed.factor(&decay, 0, 1), decay.factor(a, b));
            proptest::prop_assert_eq!(packed.factor(&decay, 1, 0), decay.factor(b, a));
        }

        /// Times within and beyond what offsets hold (136 years) give the
        /// factor the times themselves give, each held as it fits.
        #[test]
        fn offsets_and_times_give_the_same_factor(
            times in proptest::collection::vec(
                proptest::option::of(-3_000_000_000i64..3_000_000_000), 1..6),
            scale_days in 0.1f32..60.0,
            floor in 0.0f32..1.0,
        ) {
            let decay = TimeDecay { scale_days, floor };
            let packed = PackedTimes::new(&times);
            let dated: Vec<i64> = times.iter().flatten().copied().collect();
            let narrow = dated.iter().max().zip(dated.iter().min())
                .is_none_or(|(last, first)| last - first < u32::MAX as i64);
            proptest::prop_assert_eq!(matches!(packed, PackedTimes::Offsets(_)), narrow);
            for a in 0..times.len() {
                for b in 0..times.len() {
                    let factor = packed.factor(&decay, a as u32, b as u32);
                    proptest::prop_assert_eq!(factor, decay.factor(times[a], times[b]));
                }
            }
        }
    }

    fn unit(entries: &[(u32, f32)]) -> SparseVector {
        SparseVector::unit_from_entries(entries.to_vec())
    }

    proptest::proptest! {
        /// Draining finds what a scan a sum at a time finds, and zeroes.
        #[test]
        fn draining_keeps_every_sum_reaching_the_threshold(
            sums in proptest::collection::vec(
                proptest::prop_oneof![proptest::strategy::Just(0.0f32), 0.0f32..1.0],
                0..100,
            ),
            threshold in 0.0f32..1.0,
        ) {
            let expected: Vec<(usize, f32)> = sums
                .iter()
                .copied()
                .enumerate()
                .filter(|&(_, sum)| sum >= threshold)
                .collect();
            let mut tile = sums.clone();
            let mut kept = Vec::new();
            drain_reaching(&mut tile, threshold, |offset, sum| kept.push((offset, sum)));
            proptest::prop_assert_eq!(kept, expected);
            proptest::prop_assert!(tile.iter().all(|&sum| sum == 0.0));
        }
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

    #[test]
    fn tiles_of_any_width_find_every_pair_a_full_comparison_finds() {
        // Vectors over a few terms, so that some share many and some none,
        // from the fixed generator: the same every run.
        let mut rng = crate::synth::Rng(0x2545_f491_4f6c_dd1d);
        let mut below = move |n: f64| (rng.unit() * n) as u32;
        let vectors: Vec<SparseVector> = (0..60)
            .map(|_| {
                let entries = (0..1 + below(6.0))
                    .map(|_| (below(12.0), 0.1 + below(100.0) as f32 / 100.0))
                    .collect::<std::collections::BTreeMap<_, _>>();
                unit(&entries.into_iter().collect::<Vec<_>>())
            })
            .collect();
        let threshold = 0.3;
        // The weight drops pairs whose numbers sum to a multiple of 5.
        let weight = |a: u32, b: u32, cosine: f32| {
            if (a + b).is_multiple_of(5) {
                0.0
            } else {
                cosine
            }
        };
        let mut full = Vec::new();
        for a in 0..vectors.len() {
            for b in a + 1..vectors.len() {
                let cosine = vectors[a].dot(&vectors[b]);
                if cosine >= threshold && weight(a as u32, b as u32, cosine) >= threshold {
                    full.push((a as u32, b as u32));
                }
            }
        }
        assert!(full.len() > 50, "the test needs pairs: {}", full.len());
        let options = NeighbourOptions::default();
        for tile in [1, 2, 7, 64, TILE] {
            let found = edges_in_tiles(&vectors, threshold, &options, weight, tile);
            let pairs: Vec<(u32, u32)> = found.iter().map(|&(a, b, _)| (a, b)).collect();
            assert_eq!(pairs, full, "tile {tile}");
            for &(a, b, w) in &found {
                assert!((w - vectors[a as usize].dot(&vectors[b as usize])).abs() < 1e-6);
            }
        }
    }
}
