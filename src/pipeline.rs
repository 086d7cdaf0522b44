//! The whole run: documents in, near-duplicate groups and stories out.

use crate::corpus::Document;
use crate::dedup::{self, DedupOptions, Duplicates};
use crate::progress::{Progress, Unit};
use crate::sketch::Signatures;
use crate::story::{self, Story, StoryOptions, Thread};
use crate::text::{self, Prepared, boilerplate};
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
    /// Where long stages report their progress.
    pub progress: Progress,
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
    /// Threads of stories, most documents first.
    pub threads: Vec<Thread>,
    /// The documents' TF-IDF vectors (for similarities in reports).
    pub vectors: TfIdf,
    /// Body lines dropped as boilerplate.
    pub boilerplate_lines_dropped: usize,
    /// The settings used.
    pub config: Config,
}

/// The result of near-duplicate detection alone (`dedup`).
#[derive(Debug)]
pub struct DedupAnalysis {
    /// The documents, sorted by id; indices elsewhere refer to this order.
    pub documents: Vec<Document>,
    /// Near-duplicate groups.
    pub duplicates: Duplicates,
    /// Body lines dropped as boilerplate.
    pub boilerplate_lines_dropped: usize,
    /// How pairs were found.
    pub search: PairSearch,
    /// The settings used.
    pub options: DedupOptions,
}

/// How near-duplicate pairs are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairSearch {
    /// MinHash signatures and LSH bands (the default).
    Lsh,
    /// Exact all-pairs search by prefix filtering, for checking.
    Exact,
}

/// The near-duplicate stage, shared by `analyse` and `deduplicate`.
fn near_duplicates(
    documents: &[Document],
    prepared: &Prepared,
    options: &DedupOptions,
    search: PairSearch,
    progress: &Progress,
) -> Duplicates {
    let texts: Vec<&str> = prepared.texts.iter().map(|t| t.text.as_str()).collect();
    let times: Vec<Option<i64>> = documents.iter().map(|d| d.time).collect();
    match search {
        PairSearch::Lsh => {
            let stage = progress.stage("signing", texts.len() as u64, Unit::Documents);
            let signatures = Signatures::build_reporting(&options.hasher(), &texts, &stage);
            drop(stage);
            dedup::find(&texts, &signatures, &times, options)
        }
        PairSearch::Exact => dedup::find_exact(&texts, &times, options),
    }
}

/// Near-duplicate detection only: read documents (sorted by id) through
/// normalisation, signing, LSH (or the exact search), verification and
/// grouping. No vectors, no stories.
pub fn deduplicate(documents: Vec<Document>, config: &Config, search: PairSearch) -> DedupAnalysis {
    let prepared = text::prepare(&documents, &config.boilerplate);
    let duplicates = near_duplicates(
        &documents,
        &prepared,
        &config.dedup,
        search,
        &config.progress,
    );
    DedupAnalysis {
        boilerplate_lines_dropped: prepared.boilerplate_lines_dropped,
        documents,
        duplicates,
        search,
        options: config.dedup.clone(),
    }
}

/// Runs every stage over documents sorted by id (as [`crate::corpus`]
/// returns them).
pub fn analyse(documents: Vec<Document>, config: &Config) -> Analysis {
    analyse_keeping_texts(documents, config).0
}

/// [`analyse`], also returning the normalised texts the stages worked on
/// (for explaining a result; a plain run drops them to save memory).
pub fn analyse_keeping_texts(documents: Vec<Document>, config: &Config) -> (Analysis, Prepared) {
    debug_assert!(documents.windows(2).all(|w| w[0].id < w[1].id));
    let prepared = text::prepare(&documents, &config.boilerplate);
    let duplicates = near_duplicates(
        &documents,
        &prepared,
        &config.dedup,
        PairSearch::Lsh,
        &config.progress,
    );
    // Copies count once, in idf and in the corpus size the threshold is
    // scaled to: the same stories with or without them.
    let copies = duplicates.copies(documents.len());
    let tfidf = TfIdf::build(&documents, &prepared.texts, &copies, &config.tfidf);
    let stage = config
        .progress
        .stage("clustering", documents.len() as u64, Unit::Documents);
    // The threshold in force depends on how long the documents are; the
    // analysis records it, so reports show the value used.
    let mut config = config.clone();
    let distinct = copies.iter().filter(|&&copy| !copy).count();
    config.stories = config.stories.scaled_to(&tfidf.vectors, distinct);
    let stories = story::build(&documents, &tfidf, &duplicates, &config.stories, &stage);
    let threads = story::thread::build(&stories, &documents, &tfidf, &config.stories.threads);
    drop(stage);
    let analysis = Analysis {
        documents,
        duplicates,
        stories,
        threads,
        vectors: tfidf,
        boilerplate_lines_dropped: prepared.boilerplate_lines_dropped,
        config,
    };
    (analysis, prepared)
}
