//! Sketches for near-duplicate detection: character shingles, MinHash
//! signatures by one-permutation hashing, and LSH banding.

pub mod hash;
pub mod lsh;
pub mod minhash;
pub mod shingle;

pub use lsh::Bands;
pub use minhash::{MinHasher, Signatures};
pub use shingle::ShingleHasher;
