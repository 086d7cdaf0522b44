//! MinHash signatures by one-permutation hashing (OPH) with optimal
//! densification (Shrivastava, ICML 2017).
//!
//! Each shingle hash falls into one of `k` bins by its high bits; a bin keeps
//! the smallest low 32 bits it sees. One hash per shingle instead of `k`
//! makes signing cost independent of `k`. Bins that no shingle reached copy
//! a filled bin chosen by a fixed pseudo-random probe sequence, which keeps
//! the probability that two signatures agree at a position equal to the
//! Jaccard similarity of their shingle sets.

use super::hash::{mix2, reduce};
use super::shingle::ShingleHasher;
use crate::progress::Stage;

/// Default number of signature values.
pub const DEFAULT_NUM_HASHES: usize = 128;

/// Value of a bin that no shingle reached (only in empty texts).
const EMPTY: u32 = u32::MAX;

/// Signs texts into MinHash signatures.
#[derive(Clone, Copy, Debug)]
pub struct MinHasher {
    shingles: ShingleHasher,
    num_hashes: usize,
    seed: u64,
}

impl MinHasher {
    /// Signatures of `num_hashes` values over `shingle_chars`-shingles.
    /// The seeds are fixed: every run and machine signs alike.
    pub fn new(shingle_chars: usize, num_hashes: usize) -> Self {
        assert!(num_hashes >= 1, "a signature needs at least one value");
        MinHasher {
            shingles: ShingleHasher::new(shingle_chars, 0x5eed_0f57_07c1_a5e5),
            num_hashes,
            seed: 0xdead_beef_cafe_f00d,
        }
    }

    /// Number of values in a signature.
    pub fn num_hashes(&self) -> usize {
        self.num_hashes
    }

    /// The shingle hasher the signatures are built on, for exact checks.
    pub fn shingles(&self) -> &ShingleHasher {
        &self.shingles
    }

    /// Writes the signature of normalised `text` into `out`
    /// (`out.len() == num_hashes`). An empty text gives all-`EMPTY` values.
    pub fn sign_into(&self, text: &str, out: &mut [u32]) {
        debug_assert_eq!(out.len(), self.num_hashes);
        out.fill(EMPTY);
        let k = self.num_hashes;
        if k == 1 {
            self.shingles
                .for_each(text, |h| out[0] = out[0].min(bin_value(h)));
        } else if let Ok(bins) = <&mut [u32; DEFAULT_NUM_HASHES]>::try_from(&mut *out) {
            // A fixed width lets the compiler see every bin index in range
            // (no bounds check per shingle).
            self.min_by_top_bits(text, bins);
        } else if k.is_power_of_two() {
            self.min_by_top_bits(text, out);
        } else {
            self.shingles.for_each(text, |h| {
                let slot = &mut out[reduce(h, k)];
                *slot = (*slot).min(bin_value(h));
            });
        }
        let filled = out.iter().filter(|&&v| v != EMPTY).count();
        if filled == 0 || filled == k {
            return;
        }
        let original: Vec<u32> = out.to_vec();
        for (bin, value) in out.iter_mut().enumerate() {
            if *value != EMPTY {
                continue;
            }
            let mut attempt = 0u64;
            loop {
                attempt += 1;
                let probe = reduce(mix2(self.seed ^ bin as u64, attempt), k);
                if original[probe] != EMPTY {
                    *value = original[probe];
                    break;
                }
            }
        }
    }

    /// Keeps in each of a power-of-two number of bins the least value of
    /// the shingles its top bits pick, as `reduce` would, by a shift.
    /// Generic over the bins so that a fixed-size array is indexed without
    /// bounds checks.
    #[inline]
    fn min_by_top_bits<B: AsMut<[u32]> + std::ops::IndexMut<usize, Output = u32> + ?Sized>(
        &self,
        text: &str,
        bins: &mut B,
    ) {
        let shift = 64 - bins.as_mut().len().trailing_zeros();
        self.shingles.for_each(text, |h| {
            let slot = &mut bins[(h >> shift) as usize];
            *slot = (*slot).min(bin_value(h));
        });
    }

    /// The signature of one text.
    pub fn sign(&self, text: &str) -> Vec<u32> {
        let mut out = vec![EMPTY; self.num_hashes];
        self.sign_into(text, &mut out);
        out
    }
}

/// A shingle hash's value in its bin. EMPTY marks a bin no shingle
/// reached, so values drop their lowest bit: at most EMPTY - 1 (a 2^-32
/// coarsening that changes no estimate).
#[inline]
fn bin_value(h: u64) -> u32 {
    h as u32 & !1
}

/// Estimated Jaccard similarity: the share of positions where two
/// signatures agree.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    // Only an empty text has empty bins, and then all of them (the signer
    // fills every bin of any other text): it agrees with nothing. So the
    // positions compare without testing for empty bins one by one.
    if is_blank(a) || is_blank(b) {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

/// Whether a signature is that of a text with no shingle (no letter or
/// digit after normalisation).
pub(crate) fn is_blank(signature: &[u32]) -> bool {
    signature.first() == Some(&EMPTY)
}

/// The signatures of a corpus, stored in one flat array.
#[derive(Clone, Debug, Default)]
pub struct Signatures {
    width: usize,
    values: Vec<u32>,
}

impl Signatures {
    /// Signs every text in parallel.
    pub fn build<S: AsRef<str> + Sync>(hasher: &MinHasher, texts: &[S]) -> Self {
        Signatures::build_reporting(hasher, texts, &Stage::hidden())
    }

    /// [`build`](Self::build), counting signed texts on `stage`.
    pub fn build_reporting<S: AsRef<str> + Sync>(
        hasher: &MinHasher,
        texts: &[S],
        stage: &Stage,
    ) -> Self {
        use rayon::prelude::*;
        /// Texts signed between two progress counts.
        const CHUNK: usize = 256;
        let width = hasher.num_hashes();
        let mut values = vec![EMPTY; width * texts.len()];
        values
            .par_chunks_mut(width * CHUNK)
            .zip(texts.par_chunks(CHUNK))
            .for_each(|(out, texts)| {
                for (out, text) in out.chunks_mut(width).zip(texts) {
                    hasher.sign_into(text.as_ref(), out);
                }
                stage.inc(texts.len() as u64);
            });
        Signatures { width, values }
    }

    /// Number of signatures.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.width).unwrap_or(0)
    }

    /// Whether there is no signature.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Values per signature.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The signature of document `i`.
    pub fn get(&self, i: usize) -> &[u32] {
        &self.values[i * self.width..(i + 1) * self.width]
    }

    /// Whether document `i` had no shingle at all (no letter or digit
    /// after normalisation): such a document has nothing to compare.
    pub fn is_blank(&self, i: usize) -> bool {
        is_blank(self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::shingle::jaccard;
    use proptest::prelude::*;

    #[test]
    fn deterministic_and_full() {
        let hasher = MinHasher::new(5, 128);
        let a = hasher.sign("the quick brown fox jumps over the lazy dog");
        assert_eq!(
            a,
            hasher.sign("the quick brown fox jumps over the lazy dog")
        );
        // Densification leaves no empty bin in a non-empty text.
        assert!(!a.contains(&EMPTY));
        assert!(!hasher.sign("ab").contains(&EMPTY));
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        // Two overlapping halves of a long text, with known exact Jaccard.
        let words: Vec<String> = (0..3000)
            .map(|i| format!("w{}", i * 7919 % 10007))
            .collect();
        let a = words[..2000].join(" ");
        let b = words[1000..].join(" ");
        let hasher = MinHasher::new(5, 128);
        let shingles = hasher.shingles();
        let exact = jaccard(&shingles.set(&a), &shingles.set(&b));
        let estimate = estimate_jaccard(&hasher.sign(&a), &hasher.sign(&b));
        // Standard error at k = 128 is about sqrt(J(1-J)/128) ≈ 0.04.
        assert!(
            (estimate - exact).abs() < 0.15,
            "exact {exact}, estimate {estimate}"
        );
    }

    proptest! {
        #[test]
        fn a_document_is_its_own_duplicate(text in "\\PC{1,200}") {
            let hasher = MinHasher::new(5, 128);
            prop_assert_eq!(estimate_jaccard(&hasher.sign(&text), &hasher.sign(&text)), 1.0);
        }

        #[test]
        fn vowelled_and_bare_spellings_sign_alike(
            words in proptest::collection::vec("[\u{0628}-\u{063A}\u{0641}-\u{064A}]{2,7}", 3..20),
            every in 1usize..4,
        ) {
            let bare = words.join(" ");
            // Fatha after every `every`-th letter, tatweel after the others' first.
            let vowelled: String = bare
                .chars()
                .enumerate()
                .flat_map(|(i, c)| {
                    let mark = match (c, i % every) {
                        (' ', _) => None,
                        (_, 0) => Some('\u{064E}'),
                        _ => Some('\u{0640}'),
                    };
                    std::iter::once(c).chain(mark)
                })
                .collect();
            let hasher = MinHasher::new(5, 128);
            let sign = |t: &str| hasher.sign(&crate::text::normalize(t));
            prop_assert_eq!(sign(&vowelled), sign(&bare));
        }

        #[test]
        fn a_signature_is_all_empty_bins_or_has_none(text in "\\PC{0,40}", k in 1usize..200) {
            // What `estimate_jaccard` relies on to skip testing each bin.
            let signature = MinHasher::new(5, k).sign(&crate::text::normalize(&text));
            let empty = signature.iter().filter(|&&v| v == EMPTY).count();
            prop_assert!(empty == 0 || empty == k, "{empty} of {k} empty");
            prop_assert_eq!(is_blank(&signature), empty == k);
        }

        #[test]
        fn disjoint_texts_rarely_agree(a in "[a-m]{50,100}", b in "[n-z]{50,100}") {
            let hasher = MinHasher::new(5, 128);
            prop_assert!(estimate_jaccard(&hasher.sign(&a), &hasher.sign(&b)) < 0.1);
        }
    }
}
