//! Settling: the batch pipeline of `run` over the stored items, written
//! back as the index's stories.
//!
//! Items are placed one at a time as they arrive (a provisional decision);
//! a story formed that way is never revisited, so the index drifts from
//! what `run` would give on the same items. A settle re-reads the stored
//! items of a window (the most recent, in arrival order), runs exactly the
//! code of `run` over them (boilerplate, idf, time, the cut, threads) and
//! writes the stories, near-duplicate groups and threads back in one
//! transaction.
//!
//! Story ids stay stable: a new story keeps the id of the old story whose
//! items it holds most of (greedily, largest overlap first); an old story
//! whose items all went to stories keeping other ids is merged away, its
//! id kept as an alias of the story that took most of them; a part split
//! off gets a new id. Threads keep their ids the same way.
//!
//! The work is in three steps so that a service can run the long one
//! without holding its index: [`Snapshot::read`] (a read transaction),
//! [`Snapshot::plan`] (no database), [`Plan::write`] (the write
//! transaction). Items stored between the read and the write keep their
//! provisional stories until the next settle.

use super::storage::recount;
use super::{Result, db_error};
use crate::corpus::{Document, Origin};
use crate::pipeline::{Analysis, Config, analyse_keeping_texts};
use crate::story::thread::thread_of_story;
use ahash::{AHashMap, AHashSet};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// Items a settle covers by default: every stored item up to this many
/// (the most recent beyond). `run` on 19,043 Reuters articles takes about
/// 3 s on two cores, so a settle of this window takes seconds.
pub const DEFAULT_WINDOW: usize = 50_000;

/// How to settle.
#[derive(Clone, Debug)]
pub struct SettleOptions {
    /// The most recent items (in arrival order) re-clustered; older ones
    /// keep their stories.
    pub window: usize,
    /// The pipeline's settings (those of `run`).
    pub config: Config,
}

impl Default for SettleOptions {
    fn default() -> Self {
        SettleOptions {
            window: DEFAULT_WINDOW,
            config: Config::default(),
        }
    }
}

/// What a settle did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SettleSummary {
    /// Items re-clustered.
    pub items: usize,
    /// Stories they form.
    pub stories: usize,
    /// Items whose story changed.
    pub moved: usize,
    /// Stories created (split off, or joined from new items).
    pub new_stories: usize,
    /// Stories merged into another (their ids now aliases).
    pub merged_stories: usize,
}

/// One stored item as a settle reads it.
struct StoredItem {
    seq: i64,
    story: i64,
    thread: Option<i64>,
}

/// The stored items of a window, as documents.
pub struct Snapshot {
    /// Sorted by id, as the pipeline wants them.
    documents: Vec<Document>,
    /// Per document.
    stored: Vec<StoredItem>,
}

/// Where a settle puts every item, ready to be written.
pub struct Plan {
    analysis: Analysis,
    stored: Vec<StoredItem>,
    /// Hashes of the boilerplate lines found.
    boilerplate: Vec<u64>,
}

impl Snapshot {
    /// Reads the most recent `window` items in one read transaction.
    pub fn read(conn: &Connection, window: usize) -> Result<Snapshot> {
        conn.execute_batch("BEGIN").map_err(db_error)?;
        let read = (|| -> rusqlite::Result<Vec<(Document, StoredItem)>> {
            let mut query = conn.prepare(
                "SELECT i.seq, i.id, i.title, coalesce(i.body, i.text), i.date, i.url, i.source,
                        i.story, s.thread
                 FROM items i LEFT JOIN stories s ON s.id = i.story
                 ORDER BY i.seq DESC LIMIT ?1",
            )?;
            let rows = query.query_map([window.min(i64::MAX as usize) as i64], |r| {
                let mut doc = Document::new(
                    &r.get::<_, String>(1)?,
                    &r.get::<_, String>(2)?,
                    &r.get::<_, String>(3)?,
                )
                .dated(r.get(4)?);
                doc.url = r.get(5)?;
                doc.source = r.get(6)?;
                let seq: i64 = r.get(0)?;
                doc.origin = Origin::whole(format!("index item {seq}"));
                let stored = StoredItem {
                    seq,
                    story: r.get(7)?,
                    thread: r.get(8)?,
                };
                Ok((doc, stored))
            })?;
            rows.collect()
        })();
        let _ = conn.execute_batch("COMMIT");
        let mut rows = read.map_err(db_error)?;
        rows.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        for (position, (doc, _)) in rows.iter_mut().enumerate() {
            doc.position = position;
        }
        let (documents, stored) = rows.into_iter().unzip();
        Ok(Snapshot { documents, stored })
    }

    /// Runs the pipeline of `run` over the items.
    pub fn plan(self, config: &Config) -> Plan {
        let (analysis, prepared) = analyse_keeping_texts(self.documents, config);
        Plan {
            analysis,
            stored: self.stored,
            boilerplate: prepared.boilerplate_lines,
        }
    }
}

/// Ids carried from old groups to new ones (see the module docs).
#[derive(Debug, PartialEq)]
pub struct Carried {
    /// Per new group, the old id it keeps (none: it needs a new one).
    pub kept: Vec<Option<i64>>,
    /// Old ids kept by no group, each with the new group that took most of
    /// its items.
    pub merged: Vec<(i64, usize)>,
}

/// Carries ids over: `old[i]` is item i's old id, `group[i]` its new group
/// (of `groups`). Deterministic: ties go to the larger overlap, then the
/// smaller group, then the smaller old id.
pub fn carry_ids(old: &[Option<i64>], group: &[usize], groups: usize) -> Carried {
    let mut overlap: AHashMap<(usize, i64), usize> = AHashMap::new();
    for (&old, &group) in old.iter().zip(group) {
        if let Some(old) = old {
            *overlap.entry((group, old)).or_default() += 1;
        }
    }
    let mut pairs: Vec<((usize, i64), usize)> = overlap.into_iter().collect();
    pairs.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut kept: Vec<Option<i64>> = vec![None; groups];
    let mut taken: AHashMap<i64, ()> = AHashMap::new();
    for &((group, old), _) in &pairs {
        if kept[group].is_none() && !taken.contains_key(&old) {
            kept[group] = Some(old);
            taken.insert(old, ());
        }
    }
    // The first pair of each old id, in this order, is its largest part.
    let mut merged: Vec<(i64, usize)> = Vec::new();
    let mut seen: AHashMap<i64, ()> = AHashMap::new();
    for &((group, old), _) in &pairs {
        if !taken.contains_key(&old) && seen.insert(old, ()).is_none() {
            merged.push((old, group));
        }
    }
    merged.sort_unstable();
    Carried { kept, merged }
}

impl Plan {
    /// Writes the plan back in one write transaction and returns what it
    /// did. Items removed since the snapshot are skipped.
    pub fn write(self, conn: &Connection) -> Result<SettleSummary> {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(db_error)?;
        let written = self.write_in(conn);
        match written {
            Ok(summary) => {
                conn.execute_batch("COMMIT").map_err(db_error)?;
                Ok(summary)
            }
            Err(err) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(db_error(err))
            }
        }
    }

    fn write_in(&self, conn: &Connection) -> rusqlite::Result<SettleSummary> {
        let analysis = &self.analysis;
        let docs = &analysis.documents;
        let n = docs.len();
        let mut story_of = vec![0usize; n];
        for (s, story) in analysis.stories.iter().enumerate() {
            for m in &story.members {
                story_of[m.doc as usize] = s;
            }
        }
        let old_story: Vec<Option<i64>> = self
            .stored
            .iter()
            .map(|item| resolve(conn, item.story).map(Some))
            .collect::<rusqlite::Result<_>>()?;
        let stories = carry_ids(&old_story, &story_of, analysis.stories.len());
        let thread_of = thread_of_story(&analysis.threads, analysis.stories.len());
        let item_thread: Vec<usize> = story_of.iter().map(|&s| thread_of[s] as usize).collect();
        let old_thread: Vec<Option<i64>> = self.stored.iter().map(|item| item.thread).collect();
        let threads = carry_ids(&old_thread, &item_thread, analysis.threads.len());
        let mut next_thread: i64 = conn.query_row(
            "SELECT coalesce(max(thread), 0) + 1 FROM stories",
            [],
            |r| r.get(0),
        )?;
        let thread_ids: Vec<i64> = threads
            .kept
            .iter()
            .map(|kept| {
                kept.unwrap_or_else(|| {
                    next_thread += 1;
                    next_thread - 1
                })
            })
            .collect();

        // Stories: kept ids, or new rows.
        let mut summary = SettleSummary {
            items: n,
            stories: analysis.stories.len(),
            ..SettleSummary::default()
        };
        let mut story_ids: Vec<i64> = Vec::with_capacity(analysis.stories.len());
        for kept in &stories.kept {
            let id = match kept {
                Some(id) => *id,
                None => {
                    conn.execute(
                        "INSERT INTO stories(headline, items, unique_items, centroid)
                         VALUES ('', 0, 0, '[]')",
                        [],
                    )?;
                    summary.new_stories += 1;
                    conn.last_insert_rowid()
                }
            };
            story_ids.push(id);
        }

        // Items: their story, group and copy.
        let group_of = analysis.duplicates.group_of(n);
        let copies = analysis.duplicates.copies(n);
        let mut update = conn.prepare(
            "UPDATE items SET story = ?2, duplicate_of = ?3, jaccard = ?4, duplicate_group = ?5,
                              settled = 1
             WHERE seq = ?1",
        )?;
        for (doc, item) in self.stored.iter().enumerate() {
            let (original, jaccard, group) = match group_of[doc] {
                Some(g) => {
                    let group = &analysis.duplicates.groups[g];
                    let representative = group.representative as usize;
                    let jaccard = group
                        .members
                        .iter()
                        .find(|m| m.0 as usize == doc)
                        .map(|m| crate::report::score(m.1));
                    let original = copies[doc].then(|| docs[representative].id.clone());
                    (
                        original,
                        jaccard.filter(|_| copies[doc]),
                        Some(self.stored[representative].seq),
                    )
                }
                None => (None, None, None),
            };
            let story = story_ids[story_of[doc]];
            if old_story[doc] != Some(story) {
                summary.moved += 1;
            }
            update.execute(params![item.seq, story, original, jaccard, group])?;
        }

        // Stories merged away become aliases of the story that took most of
        // their items, unless items outside the window keep them alive.
        for &(old, group) in &stories.merged {
            let left: i64 =
                conn.query_row("SELECT count(*) FROM items WHERE story = ?1", [old], |r| {
                    r.get(0)
                })?;
            if left == 0 {
                let into = story_ids[group];
                conn.execute("DELETE FROM stories WHERE id = ?1", [old])?;
                conn.execute(
                    "UPDATE aliases SET story = ?2 WHERE story = ?1",
                    [old, into],
                )?;
                conn.execute(
                    "INSERT OR REPLACE INTO aliases(alias, story) VALUES (?1, ?2)",
                    [old, into],
                )?;
                summary.merged_stories += 1;
            }
        }

        // Every story the window touches: its row from its members, those
        // of the window with the vectors of this run (the idf of now).
        let mut centroids: Vec<AHashMap<&str, f32>> = vec![AHashMap::new(); story_ids.len()];
        for (doc, &s) in story_of.iter().enumerate() {
            if copies[doc] {
                continue;
            }
            let vector = &analysis.vectors.vectors[doc];
            for (&term, &weight) in vector.terms.iter().zip(&vector.weights) {
                *centroids[s]
                    .entry(analysis.vectors.vocabulary[term as usize].as_str())
                    .or_default() += weight;
            }
        }
        let window: AHashSet<i64> = self.stored.iter().map(|item| item.seq).collect();
        for (s, story) in analysis.stories.iter().enumerate() {
            let medoid = &docs[story.medoid as usize];
            // Sub-stories one level down, as their members' ids.
            let substories: Vec<Vec<&str>> = story
                .substories
                .iter()
                .map(|sub| {
                    let mut ids: Vec<&str> = sub
                        .members
                        .iter()
                        .map(|m| docs[m.doc as usize].id.as_str())
                        .collect();
                    ids.sort_unstable();
                    ids
                })
                .collect();
            conn.execute(
                "UPDATE stories SET headline = ?2, label = ?3, thread = ?4, substories = ?5,
                                    settled = 1
                 WHERE id = ?1",
                params![
                    story_ids[s],
                    medoid.headline(),
                    serde_json::to_string(&story.label).expect("labels serialise"),
                    thread_ids[thread_of[s] as usize],
                    serde_json::to_string(&substories).expect("ids serialise"),
                ],
            )?;
            recount(conn, story_ids[s], &centroids[s], &window)?;
        }
        super::next_generation(conn)?;
        conn.execute("DELETE FROM boilerplate", [])?;
        let mut line = conn.prepare("INSERT OR IGNORE INTO boilerplate(hash) VALUES (?1)")?;
        for &hash in &self.boilerplate {
            line.execute([hash as i64])?;
        }
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('story_threshold', ?1)",
            [analysis.config.stories.threshold.to_string()],
        )?;
        let mut others: Vec<i64> = old_story.iter().flatten().copied().collect();
        others.sort_unstable();
        others.dedup();
        for story in others {
            if !story_ids.contains(&story) {
                recount(conn, story, &AHashMap::new(), &window)?;
            }
        }
        Ok(summary)
    }
}

/// The story an id names now (following aliases).
pub fn resolve(conn: &Connection, story: i64) -> rusqlite::Result<i64> {
    let alias: Option<i64> = conn
        .query_row("SELECT story FROM aliases WHERE alias = ?1", [story], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(alias.unwrap_or(story))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_largest_overlap() {
        // Old stories 7 (items 0-3) and 9 (items 4-5); new groups: 0 holds
        // items 0-2, 1 holds 3-5 (most of 9 and one of 7), 2 holds a new
        // item.
        let old = [Some(7), Some(7), Some(7), Some(7), Some(9), Some(9), None];
        let group = [0, 0, 0, 1, 1, 1, 2];
        let carried = carry_ids(&old, &group, 3);
        assert_eq!(carried.kept, vec![Some(7), Some(9), None]);
        assert!(carried.merged.is_empty());
    }

    #[test]
    fn a_merge_leaves_the_smaller_id_as_an_alias() {
        let old = [Some(1), Some(1), Some(2), Some(3), Some(3), Some(3)];
        let group = [0, 0, 0, 0, 0, 0];
        let carried = carry_ids(&old, &group, 1);
        assert_eq!(carried.kept, vec![Some(3)]);
        assert_eq!(carried.merged, vec![(1, 0), (2, 0)]);
    }

    #[test]
    fn nothing_changes_when_nothing_moved() {
        let old = [Some(4), Some(4), Some(2), Some(8)];
        let group = [1, 1, 0, 2];
        let carried = carry_ids(&old, &group, 3);
        assert_eq!(carried.kept, vec![Some(2), Some(4), Some(8)]);
        assert!(carried.merged.is_empty());
    }
}
