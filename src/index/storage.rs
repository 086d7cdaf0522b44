//! Writing items: adding them with their provisional stories, removing
//! them, and keeping story rows (counts, centroid, span) in step.

use super::decide::{Analysed, Match};
use super::state::{StoryState, add};
use super::{Decision, Index, Result, Status, db_error, parse_story_name, story_name};
use crate::corpus::Document;
use crate::text::script::Script;
use ahash::{AHashMap, AHashSet};
use rusqlite::Connection;
use rusqlite::params;
use std::sync::atomic::Ordering;

impl Index {
    /// Decides on each item in order and stores it, in one transaction:
    /// every item if `keep_duplicates`, else only the new ones. Items of the
    /// batch see the ones stored before them.
    pub fn add(&self, docs: &[Document], keep_duplicates: bool) -> Result<Vec<Decision>> {
        self.add_then(docs, keep_duplicates, |_| Ok(()))
    }

    /// [`Index::add`], running `then` on the decisions before committing:
    /// when it fails, nothing is stored (so that what is stored has been
    /// written wherever `then` writes it).
    pub fn add_then(
        &self,
        docs: &[Document],
        keep_duplicates: bool,
        then: impl FnOnce(&[Decision]) -> Result<()>,
    ) -> Result<Vec<Decision>> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(db_error)?;
        let result = self.refresh().and_then(|()| {
            let mut decisions = Vec::with_capacity(docs.len());
            for doc in docs {
                let item = self.analyse(doc);
                let (mut decision, found) = self.decide(doc, &item)?;
                let store = match decision.status {
                    Status::New => true,
                    Status::Duplicate => keep_duplicates,
                    Status::Exists => false,
                };
                if store {
                    let story = self.store(doc, &item, found.as_ref(), &decision)?;
                    decision.story = Some(story_name(story));
                }
                decisions.push(decision);
            }
            then(&decisions)?;
            let generation = super::next_generation(&self.conn).map_err(db_error)?;
            Ok((decisions, generation))
        });
        // The state took each item as it was stored: once committed, it
        // matches the new generation; a rollback leaves it ahead of the
        // database.
        let committed = result.and_then(|(decisions, generation)| {
            self.conn.execute_batch("COMMIT").map_err(db_error)?;
            Ok((decisions, generation))
        });
        match committed {
            Ok((decisions, generation)) => {
                let stored = decisions.iter().filter(|d| d.status != Status::Exists);
                let stored = stored.count() as u64;
                self.shared.items.fetch_add(stored, Ordering::Relaxed);
                self.view_mut().generation = generation;
                Ok(decisions)
            }
            Err(err) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.invalidate();
                Err(err)
            }
        }
    }

    /// Writes one item and updates its story and the term counts, in the
    /// database and in the shared state; returns the story id.
    fn store(
        &self,
        doc: &Document,
        item: &Analysed,
        found: Option<&Match>,
        decision: &Decision,
    ) -> Result<i64> {
        let day = doc.day();
        let span = doc.time.map(|t| (t, t));
        let weights: Vec<(&str, f32)> = item
            .term_weights
            .iter()
            .map(|(t, w)| (t.as_str(), *w))
            .collect();
        let joined = decision.story.as_deref().and_then(parse_story_name);
        // The state changes under the write lock, briefly; SQL runs after.
        let (vector, vector_json, joined_story) = {
            let mut view = self.view_mut();
            let vector = view.state.intern_vector(&weights);
            view.state.count_document(&vector);
            let vector_json = view.state.vector_to_json(&vector);
            let joined_story = joined.map(|story| {
                // Copies join the count but not the centroid: a republished
                // article should not pull its story towards itself.
                let unique = found.is_none();
                let updated = match view.state.story(story).cloned() {
                    Some(s) => StoryState {
                        unique_items: s.unique_items + unique as u32,
                        centroid: if unique {
                            add(&s.centroid, &vector)
                        } else {
                            s.centroid
                        },
                        span: match (s.span, span) {
                            (Some((a, b)), Some((t, _))) => Some((a.min(t), b.max(t))),
                            (s, t) => s.or(t),
                        },
                        ..s
                    },
                    None => StoryState {
                        id: story,
                        unique_items: 1,
                        centroid: vector.clone(),
                        span,
                    },
                };
                let centroid_json = view.state.vector_to_json(&updated.centroid);
                let row = (story, updated.unique_items, centroid_json, updated.span);
                view.state.put_story(updated);
                row
            });
            (vector, vector_json, joined_story)
        };
        let story = match joined_story {
            Some((story, unique_items, centroid_json, story_span)) => {
                self.conn
                    .execute(
                        "UPDATE stories SET items = items + 1, unique_items = ?2, centroid = ?3,
                         first_day = min(coalesce(first_day, ?4), coalesce(?4, first_day)),
                         last_day = max(coalesce(last_day, ?4), coalesce(?4, last_day)),
                         first_time = ?5, last_time = ?6
                         WHERE id = ?1",
                        params![
                            story,
                            unique_items,
                            centroid_json,
                            day,
                            story_span.map(|s| s.0),
                            story_span.map(|s| s.1),
                        ],
                    )
                    .map_err(db_error)?;
                story
            }
            None => {
                self.conn
                    .execute(
                        "INSERT INTO stories(headline, items, unique_items, centroid, first_day,
                                             last_day, first_time, last_time)
                         VALUES (?1, 1, 1, ?2, ?3, ?3, ?4, ?4)",
                        params![doc.headline(), vector_json, day, doc.time],
                    )
                    .map_err(db_error)?;
                let story = self.conn.last_insert_rowid();
                self.view_mut().state.put_story(StoryState {
                    id: story,
                    unique_items: 1,
                    centroid: vector,
                    span,
                });
                story
            }
        };
        let signature: Vec<u8> = item
            .signature
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let weights_json = serde_json::to_string(&item.term_weights).expect("weights serialise");
        self.conn
            .execute(
                "INSERT INTO items(id, title, url, source, date, day, text, signature, vector,
                                   story, duplicate_of, jaccard, story_similarity, body, time,
                                   weights, duplicate_group)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17)",
                params![
                    doc.id,
                    doc.title,
                    doc.url,
                    doc.source,
                    doc.date,
                    day,
                    item.text.text,
                    signature,
                    vector_json,
                    story,
                    decision.duplicate_of,
                    decision.jaccard,
                    decision.story_similarity,
                    doc.body,
                    doc.time,
                    weights_json,
                    found.map(|m| m.original_seq),
                ],
            )
            .map_err(db_error)?;
        let seq = self.conn.last_insert_rowid();
        if let Some(found) = found {
            // The original names the group from its first copy on.
            self.conn
                .execute(
                    "UPDATE items SET duplicate_group = ?1 WHERE seq = ?1",
                    [found.original_seq],
                )
                .map_err(db_error)?;
        }
        if !item.text.text.is_empty() {
            let mut insert = self
                .conn
                .prepare_cached("INSERT INTO bands(key, item) VALUES (?1, ?2)")
                .map_err(db_error)?;
            for key in &item.band_keys {
                insert.execute(params![key, seq]).map_err(db_error)?;
            }
        }
        let mut count = self
            .conn
            .prepare_cached(
                "INSERT INTO terms(term, df) VALUES (?1, 1)
                 ON CONFLICT(term) DO UPDATE SET df = df + 1",
            )
            .map_err(db_error)?;
        for (term, _) in &weights {
            count.execute([term]).map_err(db_error)?;
        }
        let mut script = self
            .conn
            .prepare_cached(
                "INSERT INTO scripts(script, documents) VALUES (?1, 1)
                 ON CONFLICT(script) DO UPDATE SET documents = documents + 1",
            )
            .map_err(db_error)?;
        for s in scripts_of(weights.iter().map(|w| w.0)) {
            script.execute([s as i64]).map_err(db_error)?;
        }
        Ok(story)
    }

    /// Removes the item `id`; false if there is none.
    pub fn remove(&self, id: &str) -> Result<bool> {
        Ok(self.remove_where("id = ?1", id)? > 0)
    }

    /// Removes every item dated before `day` (days since 1970-01-01);
    /// undated items stay. Returns how many went.
    pub fn prune(&self, day: i64) -> Result<usize> {
        self.remove_where("day < ?1", day)
    }

    /// Removes the items matching `condition` (on `items`, one parameter):
    /// their bands and term counts go, their stories are recomputed from
    /// the members left (or dropped when none is).
    fn remove_where(&self, condition: &str, value: impl rusqlite::ToSql) -> Result<usize> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(db_error)?;
        let result = (|| -> rusqlite::Result<usize> {
            let victims: Vec<(i64, String, i64)> = self
                .conn
                .prepare(&format!(
                    "SELECT seq, vector, story FROM items WHERE {condition}"
                ))?
                .query_map([&value], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut stories: Vec<i64> = Vec::new();
            for (seq, vector, story) in &victims {
                let vector = parse_vector(vector);
                for (term, _) in &vector {
                    self.conn
                        .execute("UPDATE terms SET df = df - 1 WHERE term = ?1", [term])?;
                }
                for script in scripts_of(vector.iter().map(|t| t.0.as_str())) {
                    self.conn.execute(
                        "UPDATE scripts SET documents = documents - 1 WHERE script = ?1",
                        [script as i64],
                    )?;
                }
                self.conn
                    .execute("DELETE FROM bands WHERE item = ?1", [seq])?;
                self.conn
                    .execute("DELETE FROM items WHERE seq = ?1", [seq])?;
                stories.push(*story);
            }
            self.conn.execute("DELETE FROM terms WHERE df <= 0", [])?;
            stories.sort_unstable();
            stories.dedup();
            for story in stories {
                recount(&self.conn, story, &AHashMap::new(), &AHashSet::new())?;
            }
            super::next_generation(&self.conn)?;
            Ok(victims.len())
        })();
        let result = result.and_then(|n| self.conn.execute_batch("COMMIT").map(|()| n));
        if result.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        // Removal changes idf and centroids everywhere: reload.
        let removed = result.map_err(db_error)?;
        self.refresh()?;
        Ok(removed)
    }
}

/// Recounts a story's items, unique items, dates and centroid from its
/// members (a story left without any is dropped): `within` is the sum of
/// its members in a settle's `window` (none outside a settle); members
/// outside it add their stored vectors.
pub(super) fn recount(
    conn: &Connection,
    story: i64,
    within: &AHashMap<&str, f32>,
    window: &AHashSet<i64>,
) -> rusqlite::Result<()> {
    let counts: (i64, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>) = conn.query_row(
        "SELECT count(*), count(*) - count(duplicate_of), min(day), max(day), min(time),
                max(time)
         FROM items WHERE story = ?1",
        [story],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let (items, unique, first, last, first_time, last_time) = counts;
    if items == 0 {
        conn.execute("DELETE FROM stories WHERE id = ?1", [story])?;
        return Ok(());
    }
    let mut sum: AHashMap<String, f32> = within.iter().map(|(t, w)| (t.to_string(), *w)).collect();
    let mut outside = conn.prepare_cached(
        "SELECT seq, vector FROM items WHERE story = ?1 AND duplicate_of IS NULL",
    )?;
    let mut rows = outside.query([story])?;
    while let Some(row) = rows.next()? {
        if window.contains(&row.get::<_, i64>(0)?) {
            continue;
        }
        for (term, weight) in parse_vector(&row.get::<_, String>(1)?) {
            *sum.entry(term).or_default() += weight;
        }
    }
    let mut centroid: Vec<(String, f32)> = sum.into_iter().collect();
    centroid.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    conn.execute(
        "UPDATE stories SET items = ?2, unique_items = ?3, first_day = ?4, last_day = ?5,
                            first_time = ?6, last_time = ?7, centroid = ?8
         WHERE id = ?1",
        params![
            story,
            items,
            unique,
            first,
            last,
            first_time,
            last_time,
            serde_json::to_string(&centroid).expect("vectors serialise")
        ],
    )?;
    Ok(())
}

/// Script indices of a document's terms.
fn scripts_of<'a>(terms: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let mut seen = [false; Script::COUNT];
    for term in terms {
        seen[Script::of(term).index()] = true;
    }
    (0..Script::COUNT).filter(|&s| seen[s]).collect()
}

/// A stored vector: (term, weight) pairs.
pub(super) fn parse_vector(json: &str) -> Vec<(String, f32)> {
    serde_json::from_str(json).unwrap_or_default()
}
