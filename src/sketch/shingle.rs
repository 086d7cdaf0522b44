//! Character k-shingles of normalised text, hashed to 64 bits in one pass.
//!
//! A shingle whose code points are all below 256 (every shingle of ASCII
//! text) is keyed by its code points packed one byte each, which a sliding
//! shift builds at a few instructions per byte; any other shingle is keyed by
//! a rolling polynomial over its code points. The key depends only on the
//! shingle, never on the rest of the text, so equal shingles hash alike in
//! ASCII and non-ASCII documents. Keys then pass through a fixed 64-bit
//! finaliser.

use super::hash::fmix64;

/// Default shingle length in code points.
pub const DEFAULT_SHINGLE_CHARS: usize = 5;

/// Odd multiplier of the rolling polynomial hash.
const BASE: u64 = 0x100_0000_01b3;

/// Longest shingle packed into a key (one byte per code point, plus a
/// length marker above them).
const MAX_PACKED_CHARS: usize = 7;

/// Keeps polynomial keys apart from packed ones.
const POLYNOMIAL_DOMAIN: u64 = 0x8f1b_bcdc_a5a5_3c69;

/// Hashes the character k-shingles of a text.
#[derive(Clone, Copy, Debug)]
pub struct ShingleHasher {
    k: usize,
    seed: u64,
    /// BASE^(k-1), to remove the character leaving the window.
    top: u64,
}

impl ShingleHasher {
    /// Shingles of `k` code points (k ≥ 1), hashed with `seed`.
    pub fn new(k: usize, seed: u64) -> Self {
        assert!((1..=64).contains(&k), "shingles are 1 to 64 characters");
        let top = (1..k).fold(1u64, |p, _| p.wrapping_mul(BASE));
        ShingleHasher { k, seed, top }
    }

    /// The shingle length in code points.
    pub fn chars(&self) -> usize {
        self.k
    }

    /// Calls `f` with the hash of every shingle, in text order, repeats
    /// included. A text shorter than k (but not empty) is one shingle.
    #[inline]
    pub fn for_each(&self, text: &str, f: impl FnMut(u64)) {
        if text.is_ascii() && self.k <= MAX_PACKED_CHARS {
            self.packed_ascii(text.as_bytes(), f)
        } else {
            self.roll(text.chars().map(u32::from), f)
        }
    }

    /// The packed key of `len` code points below 256: a marker bit above
    /// the bytes tells lengths apart.
    #[inline]
    fn packed_hash(&self, bytes: u64, len: usize) -> u64 {
        fmix64((bytes | 1 << (8 * len)) ^ self.seed)
    }

    /// The polynomial key of a window with some code point ≥ 256.
    #[inline]
    fn polynomial_hash(&self, h: u64) -> u64 {
        fmix64(h ^ self.seed ^ POLYNOMIAL_DOMAIN)
    }

    /// ASCII text: a byte is its code point, every key is packed.
    #[inline]
    fn packed_ascii(&self, bytes: &[u8], mut f: impl FnMut(u64)) {
        let k = self.k;
        if bytes.len() < k {
            if !bytes.is_empty() {
                let packed = bytes.iter().fold(0u64, |p, &b| p << 8 | b as u64);
                f(self.packed_hash(packed, bytes.len()));
            }
            return;
        }
        let mask = (1u64 << (8 * k)) - 1;
        // Each window's key is read from the 8 bytes ending at it, so no
        // key waits for the one before (rolling the key byte by byte is a
        // chain of three dependent operations per byte). The windows that
        // end before an 8-byte word does are packed one by one.
        let first_word_end = (k - 1).max(7);
        for end in k - 1..first_word_end.min(bytes.len()) {
            let packed = bytes[end + 1 - k..=end]
                .iter()
                .fold(0u64, |p, &b| p << 8 | b as u64);
            f(self.packed_hash(packed, k));
        }
        if bytes.len() > first_word_end {
            for word in bytes[first_word_end - 7..].windows(8) {
                let word = u64::from_be_bytes(word.try_into().expect("8 bytes"));
                f(self.packed_hash(word & mask, k));
            }
        }
    }

    /// Any text: the polynomial rolls for every window, the packed key is
    /// used while no code point in the window is 256 or above.
    #[inline]
    fn roll(&self, code_points: impl Iterator<Item = u32>, mut f: impl FnMut(u64)) {
        let k = self.k;
        let packable = k <= MAX_PACKED_CHARS;
        let mask = if packable { (1u64 << (8 * k)) - 1 } else { 0 };
        let mut window = [0u32; 64];
        let ring = window.len() - 1;
        let mut h = 0u64;
        let mut packed = 0u64;
        // Code points ≥ 256 in the window.
        let mut wide = 0usize;
        let mut count = 0usize;
        let key = |packed: u64, len: usize, h: u64, wide: usize| {
            if packable && wide == 0 {
                self.packed_hash(packed, len)
            } else {
                self.polynomial_hash(h)
            }
        };
        for c in code_points {
            if count >= k {
                let out = window[(count - k) & ring];
                wide -= (out >= 256) as usize;
                h = h.wrapping_sub((out as u64 + 1).wrapping_mul(self.top));
            }
            h = h.wrapping_mul(BASE).wrapping_add(c as u64 + 1);
            packed = (packed << 8 | (c & 0xff) as u64) & mask;
            wide += (c >= 256) as usize;
            window[count & ring] = c;
            count += 1;
            if count >= k {
                f(key(packed, k, h, wide));
            }
        }
        if count > 0 && count < k {
            f(key(packed, count, h, wide));
        }
    }

    /// The set of shingle hashes of a text, sorted, without repeats.
    pub fn set(&self, text: &str) -> Vec<u64> {
        let mut hashes = Vec::with_capacity(text.len());
        self.for_each(text, |h| hashes.push(h));
        sort_hashes(&mut hashes);
        hashes.dedup();
        hashes
    }
}

/// Sorts hashes, which are uniform: one counting pass spreads them by
/// their top bits into about as many buckets as there are hashes (see
/// [`bucket_bits`]), then [`finish_bucketed_sort`] (three times faster than
/// a comparison sort of the whole, and a third faster than sorting buckets
/// of four one by one).
fn sort_hashes(hashes: &mut Vec<u64>) {
    let n = hashes.len();
    if n < 64 {
        hashes.sort_unstable();
        return;
    }
    let shift = 64 - bucket_bits(n);
    let bucket = |h: u64| (h >> shift) as usize;
    let mut next = vec![0u32; (1 << bucket_bits(n)) + 1];
    for &h in hashes.iter() {
        next[bucket(h) + 1] += 1;
    }
    for b in 1..next.len() {
        next[b] += next[b - 1];
    }
    let mut sorted = vec![0u64; n];
    for &h in hashes.iter() {
        let slot = &mut next[bucket(h)];
        sorted[*slot as usize] = h;
        *slot += 1;
    }
    finish_bucketed_sort(&mut sorted);
    *hashes = sorted;
}

/// Bits of a uniform 64-bit key that spread `n` items into about one
/// bucket each (at most 2^20 buckets).
pub(crate) fn bucket_bits(n: usize) -> u32 {
    n.next_power_of_two().trailing_zeros().min(20)
}

/// Sorts items already spread by the top bits of a uniform key (in order
/// but for the few sharing a bucket): one insertion pass. Items crowded
/// into few buckets (text made to collide) would make it quadratic: past a
/// budget of moves, a comparison sort finishes the job.
pub(crate) fn finish_bucketed_sort<T: Ord + Copy>(items: &mut [T]) {
    let mut moves_left = 8 * items.len();
    for i in 1..items.len() {
        let item = items[i];
        let mut j = i;
        while j > 0 && items[j - 1] > item {
            items[j] = items[j - 1];
            j -= 1;
        }
        items[j] = item;
        moves_left = moves_left.saturating_sub(i - j);
        if moves_left == 0 {
            items.sort_unstable();
            return;
        }
    }
}

/// Exact Jaccard similarity of two sorted, repeat-free sets (a merge).
/// Two empty sets (texts with nothing left after normalisation) share
/// nothing: 0.0, as LSH never pairs blank signatures.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    jaccard_reaching(a, b, f64::NEG_INFINITY).unwrap_or(0.0)
}

/// [`jaccard`] when it reaches `threshold`, else `None`. The merge stops
/// as soon as the elements left could no longer lift the share to the
/// threshold, so most pairs below it are rejected after a part of it.
pub fn jaccard_reaching(a: &[u64], b: &[u64], threshold: f64) -> Option<f64> {
    let score = |shared: usize| {
        if a.is_empty() && b.is_empty() {
            0.0
        } else {
            shared as f64 / (a.len() + b.len() - shared) as f64
        }
    };
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    loop {
        let left = (a.len() - i).min(b.len() - j);
        // The share only rises with what is shared: if all that is left
        // were shared, would it reach the threshold?
        if score(shared + left) < threshold {
            return None;
        }
        if left == 0 {
            break;
        }
        // A run of steps without a branch on the data (each advances `i`,
        // `j` or both, so `left` steps stay inside both sets).
        for _ in 0..left.min(MERGE_RUN) {
            let (x, y) = (a[i], b[j]);
            shared += (x == y) as usize;
            i += (x <= y) as usize;
            j += (y <= x) as usize;
        }
    }
    Some(score(shared))
}

/// Merge steps between two checks of [`jaccard_reaching`]'s bound.
const MERGE_RUN: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(text: &str, k: usize) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return vec![];
        }
        if chars.len() < k {
            return vec![chars.iter().collect()];
        }
        chars.windows(k).map(|w| w.iter().collect()).collect()
    }

    #[test]
    fn counts_windows() {
        let hasher = ShingleHasher::new(5, 1);
        let mut n = 0;
        hasher.for_each("abcdefg", |_| n += 1);
        assert_eq!(n, 3);
        let mut n = 0;
        hasher.for_each("abc", |_| n += 1);
        assert_eq!(n, 1);
        hasher.for_each("", |_| panic!("no shingle in empty text"));
    }

    #[test]
    fn bucketed_sort_sorts() {
        for n in [0, 1, 255, 256, 1000, 5000] {
            let mut state = 0x1234_5678_9abc_def1u64 ^ n as u64;
            let mut hashes: Vec<u64> = (0..n)
                .map(|i| {
                    state = fmix64(state.wrapping_add(i as u64));
                    // Some repeats and some skew in the top bits.
                    if i % 7 == 0 { state >> 3 } else { state }
                })
                .collect();
            let mut expected = hashes.clone();
            expected.sort_unstable();
            sort_hashes(&mut hashes);
            assert_eq!(hashes, expected);
        }
        // All in one bucket, in reverse: past the insertion pass's budget.
        let mut crowded: Vec<u64> = (0..20_000u64).rev().collect();
        sort_hashes(&mut crowded);
        assert!(crowded.is_sorted() && crowded.len() == 20_000);
    }

    #[test]
    fn jaccard_of_known_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }

    proptest! {
        // The rolling hash equals hashing each window alone: same windows,
        // same hashes, so set sizes agree with a naive shingling.
        #[test]
        fn rolling_matches_naive_windows(text in "[a-céاب ]{0,40}", k in 1usize..7) {
            let hasher = ShingleHasher::new(k, 7);
            let mut distinct: Vec<String> = naive(&text, k);
            distinct.sort();
            distinct.dedup();
            prop_assert_eq!(hasher.set(&text).len(), distinct.len());
            for window in &distinct {
                let alone = hasher.set(window);
                prop_assert_eq!(alone.len(), 1);
                prop_assert!(hasher.set(&text).binary_search(&alone[0]).is_ok());
            }
        }

        /// The early stop never changes a result: the share is the same as
        /// a full merge's whenever it reaches the threshold.
        #[test]
        fn reaching_is_the_full_merge_above_the_threshold(
            a in proptest::collection::btree_set(0u64..300, 0..200),
            b in proptest::collection::btree_set(0u64..300, 0..200),
            threshold in 0.0f64..1.0,
        ) {
            let (a, b): (Vec<u64>, Vec<u64>) = (a.into_iter().collect(), b.into_iter().collect());
            let shared = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
            let full = if a.is_empty() && b.is_empty() {
                0.0
            } else {
                shared as f64 / (a.len() + b.len() - shared) as f64
            };
            prop_assert_eq!(jaccard(&a, &b), full);
            prop_assert_eq!(jaccard_reaching(&a, &b, threshold), (full >= threshold).then_some(full));
        }

        /// ASCII text takes the word-at-a-time path; any text can take the
        /// rolling one: the two give the same hashes in the same order
        /// (texts shorter than k, than the first 8-byte word, and longer).
        #[test]
        fn ascii_path_is_the_rolling_path(text in "[a-z0-9 \n]{0,40}", k in 1usize..8) {
            let hasher = ShingleHasher::new(k, 11);
            let mut fast = Vec::new();
            hasher.for_each(&text, |h| fast.push(h));
            let mut rolled = Vec::new();
            hasher.roll(text.chars().map(u32::from), |h| rolled.push(h));
            prop_assert_eq!(fast, rolled);
        }

        #[test]
        fn a_set_is_its_own_duplicate(text in "\\PC{1,80}") {
            let set = ShingleHasher::new(5, 3).set(&text);
            prop_assert_eq!(jaccard(&set, &set), 1.0);
        }
    }
}
