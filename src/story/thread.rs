//! Threads: stories of one developing subject (one crisis, one trial, one
//! product launch), the level above stories.
//!
//! A story is one event, bounded in time; its reports are compared with the
//! time between them counted. A thread asks another question: do two
//! stories tell of the same subject, whenever they happened? So threads are
//! formed over the stories' centroids, each story one unit, with the
//! similarity of their words under a far wider time decay than stories'
//! (a week's scale, a floor of 0.05), and average linkage cut as stories
//! are (see `story::cluster`) at [`ThreadOptions::threshold`].
//! Every story belongs to exactly one thread; a thread of one story is that
//! story alone.

use super::Story;
use super::cluster::{self, Cut, Units};
use super::neighbours;
use crate::corpus::Document;
use crate::vector::{SparseVector, TfIdf};
use rayon::prelude::*;

/// How threads are formed.
#[derive(Clone, Debug)]
pub struct ThreadOptions {
    /// Mean cosine between story centroids at which stories always join
    /// one thread; below half of it they never do.
    pub threshold: f32,
    /// As [`super::StoryOptions::split_ratio`], between stories.
    pub split_ratio: f32,
    /// How similarity between stories falls with the time between them.
    pub time: super::TimeDecay,
    /// Terms in a thread's label.
    pub label_terms: usize,
}

/// Default [`ThreadOptions::threshold`], for a corpus of the size and
/// length at which the story threshold applies as given; scaled with the
/// corpus size as it is, and more steeply with the documents' length (see
/// [`super::StoryOptions::scaled_to`]).
pub const DEFAULT_THRESHOLD: f32 = 0.1;

/// Default scale of the time decay between stories, in days: wider than
/// between reports of one event, since a subject develops over weeks.
pub const DEFAULT_SCALE_DAYS: f32 = 7.0;

/// Default floor of the time decay between stories: months apart, only
/// stories told in nearly the same words still join one thread.
pub const DEFAULT_TIME_FLOOR: f32 = 0.05;

impl Default for ThreadOptions {
    fn default() -> Self {
        ThreadOptions {
            threshold: DEFAULT_THRESHOLD,
            split_ratio: super::DEFAULT_SPLIT_RATIO,
            time: super::TimeDecay {
                scale_days: DEFAULT_SCALE_DAYS,
                floor: DEFAULT_TIME_FLOOR,
            },
            label_terms: 5,
        }
    }
}

/// A thread: stories of one subject.
#[derive(Clone, Debug, PartialEq)]
pub struct Thread {
    /// Indices into the stories, ascending (so largest story first).
    pub stories: Vec<u32>,
    /// Heaviest terms of the thread's centroid.
    pub label: Vec<String>,
}

impl Thread {
    /// Documents in the thread's stories.
    pub fn documents(&self, stories: &[Story]) -> usize {
        self.stories
            .iter()
            .map(|&s| stories[s as usize].members.len())
            .sum()
    }
}

/// Groups `stories` (as [`super::build`] orders them) into threads,
/// ordered by most documents, then by first story.
pub fn build(
    stories: &[Story],
    documents: &[Document],
    tfidf: &TfIdf,
    options: &ThreadOptions,
) -> Vec<Thread> {
    let centroids: Vec<SparseVector> = stories
        .par_iter()
        .map(|story| {
            SparseVector::centroid(story.members.iter().map(|m| &tfidf.vectors[m.doc as usize]))
        })
        .collect();
    let lengths = vec![1.0; centroids.len()];
    // A story's time: its median member's.
    let story_times: Vec<Option<i64>> = stories
        .par_iter()
        .map(|story| {
            let mut known: Vec<i64> = story
                .members
                .iter()
                .filter_map(|m| documents[m.doc as usize].time)
                .collect();
            let middle = known.len() / 2;
            (!known.is_empty()).then(|| *known.select_nth_unstable(middle).1)
        })
        .collect();
    let units = Units {
        vectors: &centroids,
        lengths: &lengths,
        times: &story_times,
        decay: options.time,
    };
    let cut = Cut::at(options.threshold, options.split_ratio);
    // Terms shared by hundreds of stories say little about a subject and
    // cost the most (Reuters: 1.1 s less with 300 than with 2,000, and
    // CrisisLex threads unchanged).
    let search = neighbours::NeighbourOptions { max_posting: 300 };
    let edges = units.edges(cut.floor, &search);
    let mut threads: Vec<Thread> = cluster::cluster_graph(&units, edges, &cut)
        .into_par_iter()
        .map(|c| {
            let centroid = SparseVector::centroid(c.units.iter().map(|&s| &centroids[s as usize]));
            // Written as the headlines of its largest stories write it.
            let headlines = c
                .units
                .iter()
                .map(|&s| &documents[stories[s as usize].medoid as usize]);
            Thread {
                label: super::label::label(&centroid, headlines, tfidf, options.label_terms),
                stories: c.units,
            }
        })
        .collect();
    threads.sort_by_key(|t| (std::cmp::Reverse(t.documents(stories)), t.stories[0]));
    threads
}

/// For each story, the index of its thread.
pub fn thread_of_story(threads: &[Thread], stories: usize) -> Vec<u32> {
    let mut of = vec![0u32; stories];
    for (t, thread) in threads.iter().enumerate() {
        for &s in &thread.stories {
            of[s as usize] = t as u32;
        }
    }
    of
}
