//! Sparse TF-IDF vectors of documents and their similarities.

pub mod postings;
pub mod sparse;
pub mod tfidf;

pub use postings::Postings;
pub use sparse::SparseVector;
pub use tfidf::{TfIdf, TfIdfOptions};
