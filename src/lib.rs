//! story-cluster: near-duplicate detection and story clustering for news.
//!
//! The pipeline runs in stages, each a plain function over owned data:
//! [`corpus`] reads documents, [`text`] normalises them and drops
//! boilerplate, [`sketch`] signs them (MinHash) for [`dedup`], [`vector`]
//! builds TF-IDF vectors for [`story`], and [`report`] renders the result.
//! [`pipeline`] strings the stages together; [`eval`] scores stories
//! against gold labels; [`explain`] says why two documents were, or were
//! not, grouped.

pub mod corpus;
pub mod dedup;
pub mod error;
pub mod eval;
pub mod explain;
#[cfg(feature = "index")]
pub mod index;
pub mod pipeline;
pub mod progress;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sketch;
pub mod story;
pub mod synth;
pub mod text;
pub mod unionfind;
pub mod vector;

pub use pipeline::{Analysis, Config, DedupAnalysis, PairSearch, analyse, deduplicate};
