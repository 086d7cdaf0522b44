//! Sparse TF-IDF vectors of documents and their similarities.

pub(crate) mod postings;
pub(crate) mod sparse;
pub(crate) mod tfidf;

pub use postings::Postings;
pub use sparse::SparseVector;
pub use tfidf::{TfIdf, TfIdfOptions};
