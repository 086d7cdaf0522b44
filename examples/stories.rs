//! The library in a few lines: read folders or files, analyse them, and
//! print each story with its members and their similarity to the story.
//!
//! cargo run --release --example stories -- fixtures/seeds

use std::path::PathBuf;
use story_cluster::corpus::{ReadOptions, read_paths};
use story_cluster::{Config, analyse};

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: stories PATH...");
        std::process::exit(2);
    }
    let corpus = read_paths(&paths, &ReadOptions::default());
    for problem in &corpus.problems {
        eprintln!("skipped: {problem}");
    }
    let analysis = analyse(corpus.documents, &Config::default());
    for (number, story) in analysis.stories.iter().enumerate() {
        println!("story {} ({}):", number + 1, story.label.join(", "));
        for member in &story.members {
            let doc = &analysis.documents[member.doc as usize];
            println!("  {:.3}  {}  {}", member.similarity, doc.id, doc.headline());
        }
    }
}
