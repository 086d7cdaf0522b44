//! Sketches for near-duplicate detection: character shingles, MinHash
//! signatures by one-permutation hashing, and LSH banding.

pub mod hash;
pub(crate) mod lsh;
pub(crate) mod minhash;
pub(crate) mod shingle;

pub use lsh::Bands;
pub use minhash::{MinHasher, Signatures, estimate_jaccard};
pub use shingle::ShingleHasher;
