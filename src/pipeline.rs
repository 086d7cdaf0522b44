//! The whole run: documents in, near-duplicate groups and stories out.

use crate::corpus::Document;
use crate::dedup::{self, DedupOptions, Duplicates};
use crate::progress::{Progress, Unit};
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
    /// [`deduplicate`] empties each document's body once it is prepared,
    /// for callers that never show the texts (a report of groups, not the
    /// deduplicated corpus): peak memory then holds the corpus once.
    pub release_bodies: bool,
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
    let timings = progress.timings();
    match search {
        PairSearch::Lsh => {
            let bands = options.bands();
            let keys = timings.time("sign", || {
                let stage = progress.stage("signing", texts.len() as u64, Unit::Documents);
                bands.sign_band_keys(&options.hasher(), &texts, &stage)
            });
            let candidates = timings.time("lsh candidates", || keys.candidate_pairs());
            drop(keys);
            timings.time("verify and group", || {
                dedup::verify_and_group(&texts, candidates, &times, options)
            })
        }
        PairSearch::Exact => {
            timings.time("exact pairs", || dedup::find_exact(&texts, &times, options))
        }
    }
}

/// Puts documents in id order, which every stage and report relies on.
/// Documents from [`crate::corpus`] come in that order; others are sorted
/// here (stably: documents sharing an id keep their order). Documents whose
/// input order was never numbered are numbered in the order given first,
/// for "the first in input order" to mean what the caller passed.
fn into_id_order(documents: &mut [Document]) {
    if documents.windows(2).all(|w| w[0].id <= w[1].id) {
        return;
    }
    if documents.iter().all(|d| d.position == 0) {
        for (position, doc) in documents.iter_mut().enumerate() {
            doc.position = position;
        }
    }
    documents.sort_by(|a, b| a.id.cmp(&b.id));
}

/// Near-duplicate detection only: documents (in any order; the result
/// holds them sorted by id) through normalisation, signing, LSH (or the
/// exact search), verification and grouping. No vectors, no stories.
pub fn deduplicate(
    mut documents: Vec<Document>,
    config: &Config,
    search: PairSearch,
) -> DedupAnalysis {
    into_id_order(&mut documents);
    let prepared = config.progress.timings().time("prepare", || {
        if config.release_bodies {
            text::prepare_releasing_bodies(&mut documents, &config.boilerplate)
        } else {
            text::prepare(&documents, &config.boilerplate)
        }
    });
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

/// Runs every stage over the documents, in any order: the result holds
/// them sorted by id, and its indices refer to that order. Ids should be
/// unique ([`crate::corpus`] reports and drops repeated ones).
pub fn analyse(documents: Vec<Document>, config: &Config) -> Analysis {
    analyse_with(documents, config, false).0
}

/// [`analyse`], also returning the normalised texts the stages worked on
/// (for explaining a result; a plain run drops them to save memory).
pub fn analyse_keeping_texts(documents: Vec<Document>, config: &Config) -> (Analysis, Prepared) {
    analyse_with(documents, config, true)
}

/// [`analyse`]; the texts returned are empty unless `keep_texts`.
fn analyse_with(
    mut documents: Vec<Document>,
    config: &Config,
    keep_texts: bool,
) -> (Analysis, Prepared) {
    into_id_order(&mut documents);
    let timings = config.progress.timings();
    let mut prepared = timings.time("prepare", || text::prepare(&documents, &config.boilerplate));
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
    let tfidf = timings.time("vectors", || {
        TfIdf::build(&documents, &prepared.texts, &copies, &config.tfidf)
    });
    if !keep_texts {
        // No later stage reads them: freed before the neighbour search and
        // the linkage, the largest structures of a run (a million generated
        // documents: 4.27 -> 3.6 GB peak).
        prepared.texts = Vec::new();
    }
    let stage = config
        .progress
        .stage("clustering", documents.len() as u64, Unit::Documents);
    // The threshold in force depends on how long the documents are; the
    // analysis records it, so reports show the value used.
    let mut config = config.clone();
    let distinct = copies.iter().filter(|&&copy| !copy).count();
    config.stories = config.stories.scaled_to(&tfidf.vectors, distinct);
    let stories = story::build(&documents, &tfidf, &duplicates, &config.stories, &stage);
    let threads = timings.time("threads", || {
        story::thread::build(&stories, &documents, &tfidf, &config.stories.threads)
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{ReadOptions, read_paths};

    #[test]
    fn documents_in_any_order_give_the_same_analysis() {
        let seeds = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
        let sorted = read_paths(&[seeds], &ReadOptions::default()).documents;
        let mut reversed = sorted.clone();
        reversed.reverse();
        let a = analyse(sorted, &Config::default());
        let b = analyse(reversed, &Config::default());
        let ids = |analysis: &Analysis| -> Vec<String> {
            analysis.documents.iter().map(|d| d.id.clone()).collect()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.stories, b.stories);
        assert_eq!(a.stories.len(), 2);
    }
}
