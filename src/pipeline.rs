//! The whole run: documents in, near-duplicate groups and stories out.

use crate::corpus::Document;
use crate::dedup::{self, DedupOptions, Duplicates};
use crate::sketch::{Bands, Signatures};
use crate::story::{self, Story, StoryOptions};
use crate::text::{self, boilerplate};
use crate::vector::{TfIdf, TfIdfOptions};

/// Every setting of a run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Near-duplicate detection.
    pub dedup: DedupOptions,
    /// Story formation.
    pub stories: StoryOptions,
    /// Boilerplate removal.
    pub boilerplate: boilerplate::Options,
    /// Vector weighting.
    pub tfidf: TfIdfOptions,
}

/// The result of a run over a corpus.
#[derive(Debug)]
pub struct Analysis {
    /// The documents, sorted by id; indices elsewhere refer to this order.
    pub documents: Vec<Document>,
    /// Near-duplicate groups.
    pub duplicates: Duplicates,
    /// Stories, largest first.
    pub stories: Vec<Story>,
    /// Body lines dropped as boilerplate.
    pub boilerplate_lines_dropped: usize,
    /// The LSH banding used.
    pub bands: Bands,
    /// The settings used.
    pub config: Config,
}

/// Runs every stage over documents sorted by id (as [`crate::corpus`]
/// returns them).
pub fn analyse(documents: Vec<Document>, config: &Config) -> Analysis {
    debug_assert!(documents.windows(2).all(|w| w[0].id < w[1].id));
    let prepared = text::prepare(&documents, &config.boilerplate);
    let texts: Vec<&str> = prepared.texts.iter().map(|t| t.text.as_str()).collect();
    let signatures = Signatures::build(&config.dedup.hasher(), &texts);
    let days: Vec<Option<i32>> = documents.iter().map(Document::day).collect();
    let duplicates = dedup::find(&texts, &signatures, &days, &config.dedup);
    let tfidf = TfIdf::build(&prepared.texts, &config.tfidf);
    let stories = story::build(&tfidf, &duplicates, &config.stories);
    Analysis {
        documents,
        duplicates,
        stories,
        boilerplate_lines_dropped: prepared.boilerplate_lines_dropped,
        bands: config.dedup.bands(),
        config: config.clone(),
    }
}
