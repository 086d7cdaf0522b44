//! Locality-sensitive hashing over MinHash signatures: the signature is cut
//! into `bands` bands of `rows` values; documents that agree on a whole band
//! become candidate pairs.
//!
//! Two documents of Jaccard similarity `s` share at least one band with
//! probability `1 - (1 - s^rows)^bands`. [`Bands::for_threshold`] picks the
//! most rows (fewest false candidates) that still detect pairs at the
//! threshold with the required probability.

use super::hash::mix2;
use super::minhash::{MinHasher, Signatures, is_blank};
use super::shingle::{bucket_bits, finish_bucketed_sort};
use crate::progress::Stage;
use rayon::prelude::*;
use serde::Serialize;

/// A banding of signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bands {
    /// Number of bands.
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
}

/// Buckets up to this size yield all their pairs; larger ones (mostly exact
/// copies) a star from their first member plus a chain, so a bucket of m
/// documents costs O(m) candidates instead of O(m²) and still connects them.
pub const ALL_PAIRS_BUCKET: usize = 64;

impl Bands {
    /// The banding of `num_hashes` values with the most rows per band whose
    /// detection probability at `threshold` is at least `min_recall`.
    pub fn for_threshold(threshold: f64, num_hashes: usize, min_recall: f64) -> Bands {
        (1..=num_hashes)
            .rev()
            .map(|rows| Bands {
                bands: num_hashes / rows,
                rows,
            })
            .find(|b| b.detection_probability(threshold) >= min_recall)
            .unwrap_or(Bands {
                bands: num_hashes,
                rows: 1,
            })
    }

    /// Probability that a pair of Jaccard similarity `s` shares a band.
    pub fn detection_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The band keys of one signature, one per band (for a persistent
    /// index: documents sharing a key are candidates).
    pub fn keys(&self, signature: &[u32]) -> Vec<u64> {
        assert!(self.bands * self.rows <= signature.len());
        (0..self.bands)
            .map(|band| band_key(band, &signature[band * self.rows..(band + 1) * self.rows]))
            .collect()
    }

    /// The LSH band keys of every signature.
    pub fn band_keys(&self, signatures: &Signatures) -> BandKeys {
        assert!(self.bands * self.rows <= signatures.width());
        BandKeys::build(self, signatures.len(), &Stage::hidden(), |doc, buffer| {
            buffer.clear();
            buffer.extend_from_slice(signatures.get(doc));
            (!is_blank(buffer)).then_some(buffer.as_slice())
        })
    }

    /// Signs `texts` and keeps only their band keys: each signature lives
    /// in a buffer of its thread while its keys are made (a corpus's
    /// signatures take three times the memory of its keys).
    pub fn sign_band_keys<S: AsRef<str> + Sync>(
        &self,
        hasher: &MinHasher,
        texts: &[S],
        stage: &Stage,
    ) -> BandKeys {
        assert!(self.bands * self.rows <= hasher.num_hashes());
        BandKeys::build(self, texts.len(), stage, |doc, buffer| {
            buffer.resize(hasher.num_hashes(), 0);
            hasher.sign_into(texts[doc].as_ref(), buffer);
            (!is_blank(buffer)).then_some(buffer.as_slice())
        })
    }

    /// Candidate pairs `(a, b)` with `a < b`, sorted and without repeats.
    /// Blank documents (no shingle) are never candidates.
    pub fn candidate_pairs(&self, signatures: &Signatures) -> Vec<(u32, u32)> {
        self.band_keys(signatures).candidate_pairs()
    }
}

/// The LSH band keys of a corpus, laid out a block of documents at a time
/// and band by band inside a block, so that each band's pass over every
/// document reads memory in order.
#[derive(Debug)]
pub struct BandKeys {
    bands: usize,
    documents: usize,
    /// Per block of [`BandKeys::BLOCK`] documents, `bands × len` keys:
    /// band `b` of the block's document `i` at `b * len + i`. Keys are
    /// the top 32 bits of [`band_key`] (see [`batch_key`]).
    blocks: Vec<Vec<u32>>,
    /// Documents with no shingle, which are never candidates.
    blank: Vec<bool>,
}

impl BandKeys {
    const BLOCK: usize = 256;

    /// Keys for `documents` documents, a block at a time counted on
    /// `stage`; `signature(doc, buffer)` gives a document's signature
    /// (written into `buffer`, one per block), or `None` for a blank
    /// document.
    fn build(
        bands: &Bands,
        documents: usize,
        stage: &Stage,
        signature: impl for<'b> Fn(usize, &'b mut Vec<u32>) -> Option<&'b [u32]> + Sync,
    ) -> Self {
        assert!(
            documents <= u32::MAX as usize,
            "more documents than pair ids hold"
        );
        let per_band = bands.rows;
        let blocks: Vec<(Vec<u32>, Vec<bool>)> = (0..documents.div_ceil(Self::BLOCK))
            .into_par_iter()
            .map(|block| {
                let docs = block * Self::BLOCK..documents.min((block + 1) * Self::BLOCK);
                let len = docs.len();
                let mut keys = vec![0u32; bands.bands * len];
                let mut blank = vec![false; len];
                let mut buffer = Vec::new();
                for (i, doc) in docs.enumerate() {
                    match signature(doc, &mut buffer) {
                        Some(sig) => {
                            for band in 0..bands.bands {
                                let rows = &sig[band * per_band..(band + 1) * per_band];
                                keys[band * len + i] = batch_key(band, rows);
                            }
                        }
                        None => blank[i] = true,
                    }
                }
                stage.inc(len as u64);
                (keys, blank)
            })
            .collect();
        let mut blank = Vec::with_capacity(documents);
        let blocks = blocks
            .into_iter()
            .map(|(keys, block_blank)| {
                blank.extend(block_blank);
                keys
            })
            .collect();
        BandKeys {
            bands: bands.bands,
            documents,
            blocks,
            blank,
        }
    }

    /// Candidate pairs `(a, b)` with `a < b`, sorted and without repeats:
    /// documents that share a bucket in some band. Blank documents are
    /// never candidates.
    pub fn candidate_pairs(&self) -> Vec<(u32, u32)> {
        // A few bands at a time (as many as run at once), each round's
        // pairs merged into those found so far: a pair that shares many
        // bands is held once, not once per band.
        let round = rayon::current_num_threads().max(1);
        let mut pairs: Vec<u64> = Vec::new();
        for first in (0..self.bands).step_by(round) {
            let mut found: Vec<u64> = (first..self.bands.min(first + round))
                .into_par_iter()
                .flat_map_iter(|band| self.band_pairs(band))
                .collect();
            found.par_sort_unstable();
            found.dedup();
            pairs = merge_sorted(&pairs, &found);
        }
        pairs
            .into_iter()
            .map(|p| ((p >> 32) as u32, p as u32))
            .collect()
    }

    /// The pairs (packed `a << 32 | b`, in no order, maybe repeated) of
    /// the documents sharing a bucket in `band`.
    fn band_pairs(&self, band: usize) -> Vec<u64> {
        // Each document as its key and number packed in one word
        // (`key << 32 | document`): sorting the words sorts by key, then
        // document.
        let keyed = || {
            self.blocks
                .iter()
                .enumerate()
                .flat_map(move |(block, block_keys)| {
                    let len = block_keys.len() / self.bands;
                    let first = block * Self::BLOCK;
                    block_keys[band * len..(band + 1) * len]
                        .iter()
                        .enumerate()
                        .map(move |(i, &key)| (key as u64) << 32 | (first + i) as u64)
                })
                .filter(|&entry| !self.blank[entry as u32 as usize])
        };
        // Keys are uniform hashes: spread by their top bits straight into
        // place, then one insertion pass (the shingle sets' sort; LSH
        // 0.64 -> 0.54 s over a million generated documents).
        let bits = bucket_bits(self.documents).max(1);
        let bucket = |entry: u64| (entry >> (64 - bits)) as usize;
        let mut next = vec![0u32; (1 << bits) + 1];
        for entry in keyed() {
            next[bucket(entry) + 1] += 1;
        }
        for b in 1..next.len() {
            next[b] += next[b - 1];
        }
        let mut entries: Vec<u64> = vec![0; next[next.len() - 1] as usize];
        for entry in keyed() {
            let slot = &mut next[bucket(entry)];
            entries[*slot as usize] = entry;
            *slot += 1;
        }
        drop(next);
        finish_bucketed_sort(&mut entries);
        let mut pairs = Vec::new();
        for bucket in entries.chunk_by(|a, b| a >> 32 == b >> 32) {
            bucket_pairs(bucket, &mut pairs);
        }
        pairs
    }
}

/// The union of two sorted lists without repeats, sorted, without repeats.
fn merge_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        merged.push(x.min(y));
        i += (x <= y) as usize;
        j += (y <= x) as usize;
    }
    merged.extend_from_slice(&a[i..]);
    merged.extend_from_slice(&b[j..]);
    merged
}

/// A band's key in a batch: the top half of [`band_key`]. Half the memory
/// of the whole key (a million documents: 84 MB less), and a document's
/// key and number sort as one word. Two different keys of a band share
/// their top half by chance for about n² / 2³³ pairs of n documents (a
/// million: about 116 per band, against hundreds of thousands of real
/// candidates): extra candidates, which verification rejects; every pair
/// sharing a whole key still shares its half. (Only a bucket too large
/// for all its pairs, merged by chance with another, pairs its members
/// differently in that one band: about one bucket in 4,000 at a million
/// documents.)
fn batch_key(band: usize, rows: &[u32]) -> u32 {
    (band_key(band, rows) >> 32) as u32
}

fn band_key(band: usize, rows: &[u32]) -> u64 {
    let mut chunks = rows.chunks_exact(2);
    let mut h = band as u64;
    for pair in &mut chunks {
        h = mix2(h, (pair[0] as u64) << 32 | pair[1] as u64);
    }
    if let [last] = chunks.remainder() {
        h = mix2(h, *last as u64);
    }
    h
}

/// Candidate pairs of one bucket (entries `key << 32 | document`, sorted),
/// packed `a << 32 | b`.
fn bucket_pairs(bucket: &[u64], out: &mut Vec<u64>) {
    let pack = |a: u32, b: u32| (a as u64) << 32 | b as u64;
    pairs_of_bucket(bucket, |&entry| entry as u32, |a, b| out.push(pack(a, b)));
}

/// The candidate pairs of one bucket, its members in corpus order: every
/// pair up to [`ALL_PAIRS_BUCKET`] members, else a star from the first
/// plus a chain. Pairs come first member first; a pair may repeat.
pub fn pairs_of_bucket<'a, M, T: Copy + PartialEq>(
    members: &'a [M],
    doc: impl Fn(&'a M) -> T,
    mut pair: impl FnMut(T, T),
) {
    if members.len() <= ALL_PAIRS_BUCKET {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                pair(doc(a), doc(b));
            }
        }
    } else {
        let first = doc(&members[0]);
        for w in members.windows(2) {
            pair(first, doc(&w[1]));
            if doc(&w[0]) != first {
                pair(doc(&w[0]), doc(&w[1]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::MinHasher;

    #[test]
    fn banding_meets_recall_at_threshold() {
        for &t in &[0.5, 0.7, 0.8, 0.9, 0.95] {
            let b = Bands::for_threshold(t, 128, 0.99);
            assert!(b.bands * b.rows <= 128);
            assert!(b.detection_probability(t) >= 0.99, "{t}: {b:?}");
            // One more row per band would miss the target: rows are maximal.
            let tighter = Bands {
                bands: 128 / (b.rows + 1),
                rows: b.rows + 1,
            };
            assert!(tighter.detection_probability(t) < 0.99, "{t}: {b:?}");
        }
        assert_eq!(
            Bands::for_threshold(0.8, 128, 0.99),
            Bands { bands: 21, rows: 6 }
        );
    }

    #[test]
    fn identical_and_near_texts_are_candidates() {
        let texts = [
            "the first article about a summit in moscow and its results",
            "something else entirely, a cooking recipe with onions",
            "the first article about a summit in moscow and its results",
            "the first article about a summit in moscow and its result",
        ];
        let hasher = MinHasher::new(5, 128);
        let sigs = Signatures::build(&hasher, &texts);
        let pairs = Bands::for_threshold(0.8, 128, 0.99).candidate_pairs(&sigs);
        assert!(pairs.contains(&(0, 2)));
        assert!(pairs.contains(&(0, 3)));
        assert!(!pairs.iter().any(|&(a, b)| a == 1 || b == 1));
    }

    #[test]
    fn big_buckets_stay_connected_with_linear_pairs() {
        let bucket: Vec<u64> = (0..200).map(|d| 9 << 32 | d).collect();
        let mut out = Vec::new();
        bucket_pairs(&bucket, &mut out);
        assert!(out.len() < 400);
        assert!(out.contains(&199), "first member paired with the last");
    }

    proptest::proptest! {
        // The bucketed sort of each band's keys pairs exactly what a
        // comparison sort of (key, document) would.
        #[test]
        fn candidates_are_those_of_a_plain_sort(
            texts in proptest::collection::vec("(ab|ba|a ){0,12}", 0..60),
        ) {
            let hasher = MinHasher::new(3, 24);
            let sigs = Signatures::build(&hasher, &texts);
            let bands = Bands { bands: 6, rows: 4 };
            let mut expected = std::collections::BTreeSet::new();
            for band in 0..bands.bands {
                let mut keys: Vec<(u32, u32)> = (0..texts.len())
                    .filter(|&d| !sigs.is_blank(d))
                    .map(|d| (batch_key(band, &sigs.get(d)[band * 4..(band + 1) * 4]), d as u32))
                    .collect();
                keys.sort_unstable();
                for bucket in keys.chunk_by(|a, b| a.0 == b.0) {
                    pairs_of_bucket(bucket, |&(_, d)| d, |a, b| {
                        expected.insert((a, b));
                    });
                }
            }
            let expected: Vec<(u32, u32)> = expected.into_iter().collect();
            proptest::prop_assert_eq!(bands.candidate_pairs(&sigs), expected);
        }

        #[test]
        fn merging_sorted_lists_gives_their_sorted_union(
            a in proptest::collection::btree_set(0u64..64, 0..40),
            b in proptest::collection::btree_set(0u64..64, 0..40),
        ) {
            let a: Vec<u64> = a.into_iter().collect();
            let b: Vec<u64> = b.into_iter().collect();
            let mut union: Vec<u64> = a.iter().chain(&b).copied().collect();
            union.sort_unstable();
            union.dedup();
            proptest::prop_assert_eq!(merge_sorted(&a, &b), union);
        }
    }
}
