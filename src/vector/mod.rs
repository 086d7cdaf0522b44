//! Sparse TF-IDF vectors of documents and their similarities.

pub mod sparse;
pub mod tfidf;

pub use sparse::SparseVector;
pub use tfidf::{TfIdf, TfIdfOptions};
