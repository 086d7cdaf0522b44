//! story-cluster: near-duplicate detection and story clustering for news.
//!
//! Read articles with [`corpus`], run every stage with [`analyse`] (or
//! near-duplicate detection alone with [`deduplicate`]), and read the
//! stories, threads and near-duplicate groups off the [`Analysis`]:
//!
//! ```
//! use story_cluster::corpus::{Document, ReadOptions, read_paths};
//! use story_cluster::{Config, analyse};
//!
//! // Five Arabic articles: the 2015 Putin–Obama meeting at the UN, and the
//! // 2016 talks (Kerry in Moscow, the G20 meeting).
//! let seeds = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds"));
//! let corpus = read_paths(&[seeds], &ReadOptions::default());
//! assert!(corpus.problems.is_empty());
//!
//! let analysis = analyse(corpus.documents, &Config::default());
//! for (number, story) in analysis.stories.iter().enumerate() {
//!     println!("story {}: {}", number + 1, story.label.join(" "));
//!     for member in &story.members {
//!         let doc = &analysis.documents[member.doc as usize];
//!         println!("  {:.3}  {}  {}", member.similarity, doc.id, doc.headline());
//!     }
//! }
//! // Ids are file names: `000_…` to `004_…`; their numbers, sorted.
//! let numbers = |story: &story_cluster::story::Story| -> Vec<&str> {
//!     let mut numbers: Vec<&str> = story
//!         .members
//!         .iter()
//!         .map(|m| &analysis.documents[m.doc as usize].id[..3])
//!         .collect();
//!     numbers.sort();
//!     numbers
//! };
//! assert_eq!(analysis.stories.len(), 2);
//! assert_eq!(numbers(&analysis.stories[0]), ["002", "003", "004"]);
//! assert_eq!(numbers(&analysis.stories[1]), ["000", "001"]);
//!
//! // Documents made in memory, in any order, work the same way.
//! let report = "A strong earthquake struck the northern coast on Tuesday morning, \
//!     damaging roads and bridges; officials said rescue teams were searching \
//!     collapsed buildings in three towns and that schools would stay closed.";
//! let documents = vec![
//!     Document::new("b", "Quake hits the coast", &report.replace("Tuesday", "Tuesday,")),
//!     Document::new("a", "Quake hits the coast", report),
//! ];
//! let analysis = analyse(documents, &Config::default());
//! assert_eq!(analysis.documents[0].id, "a");
//! assert_eq!(analysis.duplicates.groups.len(), 1);
//! ```
//!
//! The stages, each a plain function over owned data: [`corpus`] reads
//! documents, [`text`] normalises them and drops boilerplate, [`sketch`]
//! signs them (MinHash) for [`dedup`], [`vector`] builds TF-IDF vectors for
//! [`story`], and [`report`] renders the result. [`pipeline`] strings the
//! stages together; [`eval`] scores stories against gold labels;
//! [`explain`] says why two documents were, or were not, grouped.

pub mod choice;
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
pub mod stage;
pub mod story;
pub mod synth;
pub mod text;
mod unionfind;
pub mod vector;

pub use pipeline::{Analysis, Config, DedupAnalysis, PairSearch, analyse, deduplicate};

/// The README's Rust example, compiled and run as a doc-test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
