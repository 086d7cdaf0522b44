//! Near-duplicate groups: LSH candidates from MinHash signatures, each
//! verified with the exact Jaccard similarity of the shingle sets, joined by
//! union-find into groups with a deterministic representative.

use crate::sketch::shingle::{jaccard, jaccard_reaching};
use crate::sketch::{Bands, MinHasher, Signatures};
use crate::unionfind::UnionFind;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;

/// Default Jaccard threshold for near-duplicates.
pub const DEFAULT_THRESHOLD: f64 = 0.8;
/// Required probability of detecting a pair at the threshold.
pub const MIN_RECALL: f64 = 0.99;

/// How near-duplicates are found.
#[derive(Clone, Debug)]
pub struct DedupOptions {
    /// Pairs at or above this exact Jaccard similarity are near-duplicates.
    pub threshold: f64,
    /// Shingle length in code points.
    pub shingle_chars: usize,
    /// MinHash signature length.
    pub num_hashes: usize,
}

impl Default for DedupOptions {
    fn default() -> Self {
        DedupOptions {
            threshold: DEFAULT_THRESHOLD,
            shingle_chars: crate::sketch::shingle::DEFAULT_SHINGLE_CHARS,
            num_hashes: crate::sketch::minhash::DEFAULT_NUM_HASHES,
        }
    }
}

impl DedupOptions {
    /// The signer these options describe.
    pub fn hasher(&self) -> MinHasher {
        MinHasher::new(self.shingle_chars, self.num_hashes)
    }

    /// The banding that meets [`MIN_RECALL`] at the threshold.
    pub fn bands(&self) -> Bands {
        Bands::for_threshold(self.threshold, self.num_hashes, MIN_RECALL)
    }
}

/// A verified near-duplicate pair (document indices, `a < b`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DuplicatePair {
    /// First document.
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// Exact Jaccard similarity of their shingle sets.
    pub jaccard: f64,
}

/// A group of near-duplicates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DuplicateGroup {
    /// The earliest-dated member (then the smallest id).
    pub representative: u32,
    /// Every member with its exact Jaccard similarity to the representative
    /// (1.0 for the representative), in corpus order.
    pub members: Vec<(u32, f64)>,
}

/// What near-duplicate detection found.
#[derive(Clone, Debug, Default)]
pub struct Duplicates {
    /// Candidate pairs that LSH proposed.
    pub candidates: usize,
    /// Candidates that passed exact verification.
    pub pairs: Vec<DuplicatePair>,
    /// Groups, ordered by representative.
    pub groups: Vec<DuplicateGroup>,
}

impl Duplicates {
    /// For each document, whether it is a copy: a member of a group other
    /// than its representative. A copy adds no information about which
    /// words are common, nor about how large the corpus is.
    pub fn copies(&self, documents: usize) -> Vec<bool> {
        let mut copy = vec![false; documents];
        for group in &self.groups {
            for &(doc, _) in &group.members {
                copy[doc as usize] = doc != group.representative;
            }
        }
        copy
    }

    /// For each document, the index of its group, if it has one.
    pub fn group_of(&self, documents: usize) -> Vec<Option<usize>> {
        let mut of = vec![None; documents];
        for (g, group) in self.groups.iter().enumerate() {
            for &(doc, _) in &group.members {
                of[doc as usize] = Some(g);
            }
        }
        of
    }
}

/// Finds near-duplicate groups among normalised texts, given signatures
/// already built with `options.hasher()`: LSH candidates, each verified
/// exactly. `times` orders representatives: the earliest member wins,
/// then the first in corpus order.
pub fn find(
    texts: &[&str],
    signatures: &Signatures,
    times: &[Option<i64>],
    options: &DedupOptions,
) -> Duplicates {
    let candidates = options.bands().candidate_pairs(signatures);
    verify_and_group(texts, candidates, times, options)
}

/// The second half of [`find`]: verifies LSH's candidate pairs (sorted,
/// without repeats) exactly and groups those that pass.
pub(crate) fn verify_and_group(
    texts: &[&str],
    candidates: Vec<(u32, u32)>,
    times: &[Option<i64>],
    options: &DedupOptions,
) -> Duplicates {
    let shingles = *options.hasher().shingles();
    // Each batch of candidates gets the shingle sets of its documents, made
    // once and dropped after: holding them for every candidate document
    // would cost more memory than the corpus.
    let mut pairs = Vec::new();
    for batch in verify_batches(texts.len(), &candidates, VERIFY_BATCH_PAIRS) {
        // Identical texts have identical shingle sets: Jaccard 1.0 without
        // making either set (republished copies often are identical).
        let (identical, different): (Vec<_>, Vec<_>) = batch
            .par_iter()
            .partition(|&&(a, b)| texts[a as usize] == texts[b as usize]);
        let mut docs: Vec<u32> = different
            .iter()
            .flat_map(|&(a, b): &(u32, u32)| [a, b])
            .collect();
        docs.par_sort_unstable();
        docs.dedup();
        let sets: Vec<Vec<u64>> = docs
            .par_iter()
            .map(|&d| shingles.set(texts[d as usize]))
            .collect();
        let set_of = |d: u32| {
            let at = docs.binary_search(&d).expect("a document of this batch");
            Cow::Borrowed(sets[at].as_slice())
        };
        pairs.extend(verify(&different, set_of, options.threshold));
        pairs.extend(
            identical
                .into_iter()
                .map(|(a, b)| DuplicatePair { a, b, jaccard: 1.0 }),
        );
    }
    pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
    let set_of = |d: u32| Cow::Owned(shingles.set(texts[d as usize]));
    group(texts.len(), candidates.len(), pairs, set_of, times)
}

/// Candidate pairs verified together (their documents' shingle sets are
/// held at once). Now that the band keys take less, verification holds
/// the peak of a large `dedup`: a million generated documents peak at
/// 1,373,000-1,417,000 KiB with 4,096, 1,416,000-1,448,000 with 16,384
/// (three alternating runs), in the same time.
const VERIFY_BATCH_PAIRS: usize = 4 * 1024;

/// The candidates (sorted, without repeats) in batches of at most `cap`
/// pairs for verification, a document's pairs as first document adjacent.
/// The pairs of one connected set of candidates go into one batch when they
/// fit, so that a document's shingle set is made once rather than once in
/// every batch where it has a pair (on the 1M generated corpus, with 16,384
/// pairs a batch, 490,613 sets made instead of 765,359); a set with more
/// pairs is cut alone.
fn verify_batches(documents: usize, candidates: &[(u32, u32)], cap: usize) -> Vec<Vec<(u32, u32)>> {
    let mut union = UnionFind::new(documents);
    for &(a, b) in candidates {
        union.union(a, b);
    }
    let mut keyed: Vec<(u32, u32, u32)> = candidates
        .iter()
        .map(|&(a, b)| (union.find(a), a, b))
        .collect();
    drop(union);
    keyed.par_sort_unstable();
    let mut batches: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut batch = Vec::new();
    for set in keyed.chunk_by(|x, y| x.0 == y.0) {
        if batch.len() + set.len() > cap && !batch.is_empty() {
            batches.push(std::mem::take(&mut batch));
        }
        if set.len() <= cap {
            batch.extend(set.iter().map(|&(_, a, b)| (a, b)));
            continue;
        }
        for part in in_breadth_first_order(set).chunks(cap) {
            batches.push(part.to_vec());
        }
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    batches
}

/// The pairs of one connected set too large for a batch, ordered so that
/// a run of them touches few documents: documents are ranked in
/// breadth-first order from the smallest (neighbours in id order), and
/// pairs sorted by the ranks of their documents. A set of many tight
/// groups joined by a few stray candidates then comes group by group, not
/// spread over every batch.
fn in_breadth_first_order(set: &[(u32, u32, u32)]) -> Vec<(u32, u32)> {
    let mut docs: Vec<u32> = set.iter().flat_map(|&(_, a, b)| [a, b]).collect();
    docs.sort_unstable();
    docs.dedup();
    let at = |doc: u32| docs.binary_search(&doc).expect("a document of the set") as u32;
    let local: Vec<(u32, u32)> = set.iter().map(|&(_, a, b)| (at(a), at(b))).collect();
    // Both directions of every pair, sorted: each document's neighbours in
    // id order, every document of the set having some.
    let mut edges: Vec<(u32, u32)> = local.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
    edges.sort_unstable();
    let neighbours: Vec<&[(u32, u32)]> = edges.chunk_by(|x, y| x.0 == y.0).collect();
    let mut rank = vec![u32::MAX; docs.len()];
    rank[0] = 0;
    let mut ranked = 1;
    let mut queue = std::collections::VecDeque::from([0u32]);
    while let Some(d) = queue.pop_front() {
        for &(_, n) in neighbours[d as usize] {
            if rank[n as usize] == u32::MAX {
                rank[n as usize] = ranked;
                ranked += 1;
                queue.push_back(n);
            }
        }
    }
    let mut ordered: Vec<(u32, u32, u32, u32)> = local
        .iter()
        .zip(set)
        .map(|(&(a, b), &(_, doc_a, doc_b))| (rank[a as usize], rank[b as usize], doc_a, doc_b))
        .collect();
    ordered.sort_unstable();
    ordered.into_iter().map(|(_, _, a, b)| (a, b)).collect()
}

/// Finds the same groups without LSH, by an exact all-pairs search (prefix
/// filtering: with shingles ordered rarest first, two sets of Jaccard ≥ t
/// must share one of the first `|A| - ⌈t·|A|⌉ + 1` shingles of each, and
/// their sizes must be within a factor t of each other). Every
/// pair at or above the threshold is found; for checking LSH recall and for
/// modest corpora.
pub fn find_exact(texts: &[&str], times: &[Option<i64>], options: &DedupOptions) -> Duplicates {
    let shingles = *options.hasher().shingles();
    let sets: Vec<Vec<u64>> = texts.par_iter().map(|t| shingles.set(t)).collect();
    let candidates = prefix_candidates(&sets, options.threshold);
    let set_of = |d: u32| Cow::Borrowed(sets[d as usize].as_slice());
    let pairs = verify(&candidates, set_of, options.threshold);
    group(texts.len(), candidates.len(), pairs, set_of, times)
}

/// Candidate pairs `(a, b)`, `a < b`, sharing a prefix element (see
/// [`find_exact`]); sorted, without repeats.
fn prefix_candidates(sets: &[Vec<u64>], threshold: f64) -> Vec<(u32, u32)> {
    // Global frequency of every shingle, to order each set rarest first.
    let mut all: Vec<u64> = sets.iter().flatten().copied().collect();
    all.par_sort_unstable();
    let mut frequency: ahash::AHashMap<u64, u32> = ahash::AHashMap::with_capacity(all.len() / 2);
    for run in all.chunk_by(|a, b| a == b) {
        frequency.insert(run[0], run.len() as u32);
    }
    drop(all);
    let prefixes: Vec<Vec<u64>> = sets
        .par_iter()
        .map(|set| {
            let mut ordered = set.clone();
            ordered.sort_unstable_by_key(|h| (frequency[h], *h));
            let keep =
                set.len() - ((threshold * set.len() as f64).ceil() as usize).min(set.len()) + 1;
            ordered.truncate(keep.min(set.len()));
            ordered
        })
        .collect();
    let mut postings: ahash::AHashMap<u64, Vec<u32>> = ahash::AHashMap::new();
    for (doc, prefix) in prefixes.iter().enumerate() {
        for &h in prefix {
            postings.entry(h).or_default().push(doc as u32);
        }
    }
    let mut pairs: Vec<(u32, u32)> = prefixes
        .par_iter()
        .enumerate()
        .flat_map_iter(|(b, prefix)| {
            // Jaccard ≥ t also needs t·|B| ≤ |A| ≤ |B|/t.
            let size = sets[b].len() as f64;
            let fits = |a: u32| {
                let other = sets[a as usize].len() as f64;
                other >= threshold * size && size >= threshold * other
            };
            let mut partners: Vec<u32> = prefix
                .iter()
                .flat_map(|h| {
                    postings[h]
                        .iter()
                        .copied()
                        .take_while(move |&a| a < b as u32)
                })
                .filter(|&a| fits(a))
                .collect();
            partners.sort_unstable();
            partners.dedup();
            partners.into_iter().map(move |a| (a, b as u32))
        })
        .collect();
    pairs.par_sort_unstable();
    pairs
}

/// The candidates (a first document's pairs adjacent) whose exact Jaccard
/// similarity reaches the threshold.
fn verify<'a>(
    candidates: &[(u32, u32)],
    set_of: impl Fn(u32) -> Cow<'a, [u64]> + Sync,
    threshold: f64,
) -> Vec<DuplicatePair> {
    candidates
        .par_chunk_by(|x, y| x.0 == y.0)
        .flat_map_iter(|run| {
            let a = run[0].0;
            let set_a = set_of(a);
            run.iter()
                .filter_map(|&(_, b)| {
                    let jaccard = jaccard_reaching(&set_a, &set_of(b), threshold)?;
                    Some(DuplicatePair { a, b, jaccard })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Joins verified pairs (sorted by `(a, b)`) into groups with their
/// representatives; `set_of` gives a document's shingle set for members
/// no verified pair ties to their representative.
pub(crate) fn group<'a>(
    documents: usize,
    candidates: usize,
    pairs: Vec<DuplicatePair>,
    set_of: impl Fn(u32) -> Cow<'a, [u64]> + Sync,
    times: &[Option<i64>],
) -> Duplicates {
    debug_assert!(pairs.is_sorted_by_key(|p| (p.a, p.b)));
    let mut union = UnionFind::new(documents);
    for pair in &pairs {
        union.union(pair.a, pair.b);
    }
    let mut groups: Vec<DuplicateGroup> = union
        .sets(2)
        .into_par_iter()
        .map(|members| {
            let representative = *members
                .iter()
                .min_by_key(|&&d| (times[d as usize].unwrap_or(i64::MAX), d))
                .expect("group has members");
            // A member verified against the representative already has its
            // score; the others (joined through a third document) are
            // compared now, with the representative's set made once.
            let known = |d: u32| {
                let key = (representative.min(d), representative.max(d));
                pairs
                    .binary_search_by_key(&key, |p| (p.a, p.b))
                    .ok()
                    .map(|at| pairs[at].jaccard)
            };
            let rep_set = std::cell::OnceCell::new();
            let members = members
                .iter()
                .map(|&d| {
                    let j = if d == representative {
                        1.0
                    } else if let Some(j) = known(d) {
                        j
                    } else {
                        jaccard(rep_set.get_or_init(|| set_of(representative)), &set_of(d))
                    };
                    (d, j)
                })
                .collect();
            DuplicateGroup {
                representative,
                members,
            }
        })
        .collect();
    groups.sort_by_key(|g| g.representative);
    Duplicates {
        candidates,
        pairs,
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_verified_copies_with_earliest_representative() {
        let base = "the kremlin said the president would receive the secretary of state \
                    on thursday to discuss syria ukraine and bilateral relations";
        let texts = [
            "an unrelated text about football results and the league table this weekend",
            base,
            &format!("{base} today"),
            base,
        ];
        let options = DedupOptions::default();
        let signatures = Signatures::build(&options.hasher(), &texts);
        let times = [None, Some(20), Some(10), None];
        let found = find(&texts, &signatures, &times, &options);
        assert_eq!(found.groups.len(), 1);
        let group = &found.groups[0];
        assert_eq!(group.representative, 2);
        let ids: Vec<u32> = group.members.iter().map(|m| m.0).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert!(group.members.iter().all(|&(_, j)| j >= 0.8));
        assert!(found.pairs.iter().all(|p| p.jaccard >= 0.8));
        // The exact search finds the same.
        let exact = find_exact(&texts, &times, &options);
        assert_eq!(exact.groups, found.groups);
    }

    #[test]
    fn verify_batches_keep_connected_pairs_together() {
        // Sets {0, 5, 9} (3 pairs), {1, 2} (1 pair), {3, 4, 6, 7} (5 pairs).
        let mut candidates = vec![
            (0, 5),
            (0, 9),
            (5, 9),
            (1, 2),
            (3, 4),
            (3, 6),
            (4, 6),
            (4, 7),
            (6, 7),
        ];
        candidates.sort_unstable();
        let batches = verify_batches(10, &candidates, 4);
        assert!(batches.iter().all(|b| !b.is_empty() && b.len() <= 4));
        let mut all: Vec<(u32, u32)> = batches.concat();
        all.sort_unstable();
        assert_eq!(all, candidates);
        let batch_of = |pair: (u32, u32)| batches.iter().position(|b| b.contains(&pair));
        // The sets that fit are whole in one batch; the larger one is cut.
        assert_eq!(batch_of((0, 5)), batch_of((5, 9)));
        assert_eq!(batch_of((0, 9)), batch_of((5, 9)));
        assert_ne!(batch_of((3, 4)), batch_of((6, 7)));
    }

    #[test]
    fn prefix_filter_finds_every_pair_above_the_threshold() {
        // Sets with known overlaps: b shares 9 of 10 with a (J = 9/11).
        let a: Vec<u64> = (0..10).collect();
        let b: Vec<u64> = (1..11).collect();
        let c: Vec<u64> = (100..110).collect();
        let pairs = prefix_candidates(&[a, b, c], 0.8);
        assert_eq!(pairs, vec![(0, 1)]);
    }
}
