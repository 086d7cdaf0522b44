//! Fixed 64-bit mixing functions. Signatures are stored in indexes and
//! compared across runs and machines, so hashing must never depend on a
//! random seed, a crate version or the CPU: these are written out here.

/// The MurmurHash3 64-bit finaliser: a bijection with full avalanche.
#[inline]
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// Mixes two words into one (wyhash's multiply-fold step, then a finaliser).
#[inline]
pub fn mix2(a: u64, b: u64) -> u64 {
    let product = (a ^ 0xa076_1d64_78bd_642f) as u128 * (b ^ 0xe703_7ed1_a0b4_28db) as u128;
    fmix64((product as u64) ^ ((product >> 64) as u64))
}

/// Maps a hash uniformly onto `0..n` without division (Lemire's reduction).
#[inline]
pub fn reduce(hash: u64, n: usize) -> usize {
    ((hash as u128 * n as u128) >> 64) as usize
}

/// A stable 64-bit hash of a string.
pub fn hash_str(s: &str) -> u64 {
    let mut h = 0x9e37_79b9_7f4a_7c15 ^ s.len() as u64;
    let mut chunks = s.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        h = mix2(h, u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix2(h, u64::from_le_bytes(tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_fixed_forever() {
        // Stored indexes depend on these exact values.
        assert_eq!(fmix64(1), 0xb456_bcfc_34c2_cb2c);
        assert_eq!(hash_str("story"), hash_str("story"));
        assert_ne!(hash_str("story"), hash_str("storz"));
        assert_ne!(hash_str(""), hash_str("\0"));
    }

    #[test]
    fn reduce_stays_in_range() {
        for h in [0, 1, u64::MAX / 2, u64::MAX] {
            assert!(reduce(h, 128) < 128);
        }
        assert_eq!(reduce(u64::MAX, 128), 127);
    }
}
