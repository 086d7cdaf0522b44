//! The persistent index behind `index`, `check`, `publish` and `serve`
//! (feature `index`): is a new item a near-duplicate of something already
//! accepted, and which running story does it join? One SQLite file in WAL
//! mode.
//!
//! Each accepted item is stored with its normalised text (for the exact
//! Jaccard check), its MinHash signature and LSH band keys (indexed), its
//! unit TF-IDF vector (idf as of its arrival) and its story. A story keeps
//! the sum of its members' vectors and its counts. An item is a duplicate of
//! the stored item with the highest exact Jaccard similarity at or above the
//! threshold among its LSH candidates (the same test as `dedup`), and then
//! joins that item's story. Otherwise it joins the story whose members it
//! is most similar to on average (average linkage, as in `run`) if that
//! reaches the story threshold, or starts a story of its own. Document
//! frequencies are counted as items arrive.
//!
//! Writers take SQLite's write lock for a whole batch and first catch up
//! with whatever other connections committed, so several processes can add
//! to one index; every decision sees every item committed before it.

mod schema;
mod state;

use crate::corpus::Document;
use crate::dedup::DedupOptions;
use crate::report::score;
use crate::sketch::shingle::jaccard;
use crate::sketch::{Bands, MinHasher};
use crate::text::{self, PreparedText, boilerplate};
use crate::vector::TfIdfOptions;
use crate::vector::tfidf::term_weights;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use state::{State, Vector, add_truncated, truncate};
use std::path::Path;

/// Default mean cosine between an item and a story's members at which the
/// item joins the story. The index decides one item at a time, with no
/// merge tree for `run`'s relative rule to weigh, so it keeps the single
/// threshold it was measured with (see docs/design.md).
pub const DEFAULT_STORY_THRESHOLD: f32 = 0.18;

/// Index settings: those of `run` and `dedup`.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Near-duplicate detection.
    pub dedup: DedupOptions,
    /// Mean cosine to a story's members at which an item joins it.
    pub story_threshold: f32,
    /// Vector weighting.
    pub tfidf: TfIdfOptions,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            dedup: DedupOptions::default(),
            story_threshold: DEFAULT_STORY_THRESHOLD,
            tfidf: TfIdfOptions::default(),
        }
    }
}

/// What the index says about an item.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing stored is a near-duplicate of it.
    New,
    /// A stored item is a near-duplicate of it (`duplicate_of`).
    Duplicate,
    /// An item with this id is already stored; nothing was done.
    Exists,
}

/// The decision on one item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// The item's id.
    pub id: String,
    /// New, duplicate, or already stored.
    pub status: Status,
    /// The original it duplicates (the first stored of its copies).
    pub duplicate_of: Option<String>,
    /// Exact Jaccard similarity to the stored item it matched.
    pub jaccard: Option<f64>,
    /// The story it joins (`S` + number); none when `check` finds no story
    /// close enough (`index add` and `publish` then start one).
    pub story: Option<String>,
    /// Its mean cosine similarity to that story's members (before joining).
    pub story_similarity: Option<f64>,
}

/// A stored item, as `GET /v1/items/{id}` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ItemRecord {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Where it was published.
    pub url: Option<String>,
    /// Publisher or feed.
    pub source: Option<String>,
    /// Date as given.
    pub date: Option<String>,
    /// Its story.
    pub story: String,
    /// The original it duplicates, if it is a copy.
    pub duplicate_of: Option<String>,
    /// Jaccard similarity to the item it matched, for copies.
    pub jaccard: Option<f64>,
    /// Similarity to its story when it joined.
    pub story_similarity: Option<f64>,
}

/// A story, as `index stories` and `GET /v1/stories` show it.
#[derive(Clone, Debug, Serialize)]
pub struct StoryRecord {
    /// `S` + number.
    pub id: String,
    /// The first member's title.
    pub headline: String,
    /// Its heaviest terms.
    pub label: Vec<String>,
    /// Members, copies included.
    pub items: u32,
    /// Members that are not near-duplicates of another.
    pub unique_items: u32,
    /// Earliest and latest member date (`YYYY-MM-DD`), when dated.
    pub first_date: Option<String>,
    /// Latest member date.
    pub last_date: Option<String>,
    /// Member ids in arrival order (only for a single story).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

/// Counts, for `index stats`.
#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    /// Stored items.
    pub items: u64,
    /// Of which near-duplicates of another.
    pub duplicates: u64,
    /// Stories.
    pub stories: u64,
    /// Distinct terms.
    pub terms: u64,
    /// Jaccard threshold of near-duplicates.
    pub dup_threshold: f64,
    /// Story threshold.
    pub story_threshold: f32,
}

/// An item analysed for the index (no database needed).
struct Analysed {
    text: PreparedText,
    signature: Vec<u32>,
    band_keys: Vec<i64>,
    term_weights: Vec<(String, f32)>,
}

/// The best stored near-duplicate of an item.
struct Match {
    /// The original (root of the matched item's copies).
    original: String,
    jaccard: f64,
    story: i64,
}

/// A story row: id, headline, items, unique items, centroid, first and
/// last day.
type StoryRow = (i64, String, u32, u32, String, Option<i64>, Option<i64>);

/// The query of [`StoryRow`]s; a condition or order follows.
const STORY_ROWS: &str =
    "SELECT id, headline, items, unique_items, centroid, first_day, last_day FROM stories";

fn story_row(r: &rusqlite::Row) -> rusqlite::Result<StoryRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

/// A persistent index in one SQLite file.
pub struct Index {
    conn: Connection,
    options: IndexOptions,
    /// The signer and banding of `options.dedup`, made once.
    hasher: MinHasher,
    bands: Bands,
    state: State,
    /// `PRAGMA data_version` when `state` was loaded: it changes when
    /// another connection commits.
    data_version: i64,
    /// Set when `state` may not match the database (a failed write).
    stale: bool,
}

type Result<T> = std::result::Result<T, crate::error::Error>;

fn db_error(err: rusqlite::Error) -> crate::error::Error {
    crate::error::Error::Index(err.to_string())
}

/// Story ids as shown: `S` + number.
fn story_name(id: i64) -> String {
    format!("S{id}")
}

/// A story id as shown back to its number.
pub fn parse_story_name(name: &str) -> Option<i64> {
    name.strip_prefix('S')?.parse().ok()
}

fn day_to_date(day: i64) -> String {
    crate::corpus::format_day(day * crate::corpus::DAY_SECONDS)
}

impl Index {
    /// Opens (creating if needed) the index at `path`.
    pub fn open(path: &Path, options: IndexOptions) -> Result<Index> {
        let conn = Connection::open(path)
            .map_err(|err| crate::error::Error::Index(format!("{}: {err}", path.display())))?;
        schema::prepare(&conn)
            .map_err(|err| crate::error::Error::Index(format!("{}: {err}", path.display())))?;
        let mut index = Index {
            conn,
            hasher: options.dedup.hasher(),
            bands: options.dedup.bands(),
            options,
            state: State::default(),
            data_version: -1,
            stale: true,
        };
        index.refresh()?;
        Ok(index)
    }

    /// Reloads the in-memory state if another connection has written (or a
    /// write of ours failed half-way).
    fn refresh(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))
            .map_err(db_error)?;
        if self.stale || version != self.data_version {
            self.state = State::load(&self.conn).map_err(db_error)?;
            self.data_version = version;
            self.stale = false;
        }
        Ok(())
    }

    fn analyse(&self, doc: &Document) -> Analysed {
        let prepared = text::prepare(std::slice::from_ref(doc), &boilerplate::Options::default());
        let text = prepared.texts.into_iter().next().unwrap_or_default();
        let signature = self.hasher.sign(&text.text);
        let band_keys = self
            .bands
            .keys(&signature)
            .into_iter()
            .map(|k| k as i64)
            .collect();
        let term_weights = term_weights(doc, &text, &self.options.tfidf)
            .into_iter()
            .map(|(t, w)| (t.to_owned(), w))
            .collect();
        Analysed {
            text,
            signature,
            band_keys,
            term_weights,
        }
    }

    fn exists(&self, id: &str) -> Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM items WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(db_error)
    }

    /// The stored item most similar to `item` at or above the threshold.
    fn best_match(&self, item: &Analysed) -> Result<Option<Match>> {
        if item.text.text.is_empty() {
            return Ok(None);
        }
        let mut candidates: Vec<i64> = Vec::new();
        let mut by_key = self
            .conn
            .prepare_cached("SELECT item FROM bands WHERE key = ?1")
            .map_err(db_error)?;
        for key in &item.band_keys {
            let rows = by_key
                .query_map([key], |row| row.get::<_, i64>(0))
                .map_err(db_error)?;
            for seq in rows {
                candidates.push(seq.map_err(db_error)?);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        if candidates.is_empty() {
            return Ok(None);
        }
        let shingles = self.hasher.shingles();
        let set = shingles.set(&item.text.text);
        let mut fetch = self
            .conn
            .prepare_cached("SELECT id, text, duplicate_of, story FROM items WHERE seq = ?1")
            .map_err(db_error)?;
        let mut best: Option<Match> = None;
        for seq in candidates {
            let (id, text, duplicate_of, story): (String, String, Option<String>, i64) = fetch
                .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(db_error)?;
            let j = jaccard(&set, &shingles.set(&text));
            // Candidates come in arrival order: ties go to the earlier item.
            if j >= self.options.dedup.threshold && best.as_ref().is_none_or(|b| j > b.jaccard) {
                best = Some(Match {
                    original: duplicate_of.unwrap_or(id),
                    jaccard: j,
                    story,
                });
            }
        }
        Ok(best)
    }

    /// Decides on one analysed item against what is stored now; also
    /// returns its vector (empty for an item already stored) and match.
    fn decide(&mut self, id: &str, item: &Analysed) -> Result<(Decision, Vector, Option<Match>)> {
        if self.exists(id)? {
            let decision = Decision {
                id: id.to_owned(),
                status: Status::Exists,
                duplicate_of: None,
                jaccard: None,
                story: None,
                story_similarity: None,
            };
            return Ok((decision, Vector::new(), None));
        }
        let weights: Vec<(&str, f32)> = item
            .term_weights
            .iter()
            .map(|(t, w)| (t.as_str(), *w))
            .collect();
        let vector = self.state.vector(&weights);
        let found = self.best_match(item)?;
        let (story, similarity) = match &found {
            Some(m) => (Some(m.story), self.state.similarity(&vector, m.story)),
            None => match self.state.best_story(&vector) {
                Some((story, s)) if s >= self.options.story_threshold => (Some(story), Some(s)),
                _ => (None, None),
            },
        };
        let decision = Decision {
            id: id.to_owned(),
            status: if found.is_some() {
                Status::Duplicate
            } else {
                Status::New
            },
            duplicate_of: found.as_ref().map(|m| m.original.clone()),
            jaccard: found.as_ref().map(|m| score(m.jaccard)),
            story: story.map(story_name),
            story_similarity: similarity.map(|s| score(s as f64)),
        };
        Ok((decision, vector, found))
    }

    /// Decides on each item without storing anything.
    pub fn check(&mut self, docs: &[Document]) -> Result<Vec<Decision>> {
        self.refresh()?;
        let mut decisions = Vec::with_capacity(docs.len());
        for doc in docs {
            let item = self.analyse(doc);
            decisions.push(self.decide(&doc.id, &item)?.0);
        }
        Ok(decisions)
    }

    /// Decides on each item in order and stores it, in one transaction:
    /// every item if `keep_duplicates`, else only the new ones. Items of the
    /// batch see the ones stored before them.
    pub fn add(&mut self, docs: &[Document], keep_duplicates: bool) -> Result<Vec<Decision>> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(db_error)?;
        let result = self.refresh().and_then(|()| {
            let mut decisions = Vec::with_capacity(docs.len());
            for doc in docs {
                let item = self.analyse(doc);
                let (mut decision, vector, found) = self.decide(&doc.id, &item)?;
                let store = match decision.status {
                    Status::New => true,
                    Status::Duplicate => keep_duplicates,
                    Status::Exists => false,
                };
                if store {
                    let story = self.store(doc, &item, &vector, found.as_ref(), &decision)?;
                    decision.story = Some(story_name(story));
                }
                decisions.push(decision);
            }
            Ok(decisions)
        });
        // Our own commit does not change data_version: the state stays
        // current. A rollback leaves it ahead of the database.
        let committed = result.and_then(|decisions| {
            self.conn.execute_batch("COMMIT").map_err(db_error)?;
            Ok(decisions)
        });
        if committed.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.stale = true;
        }
        committed
    }

    /// Writes one item and updates its story and the term counts; returns
    /// the story id.
    fn store(
        &mut self,
        doc: &Document,
        item: &Analysed,
        vector: &Vector,
        found: Option<&Match>,
        decision: &Decision,
    ) -> Result<i64> {
        let day = doc.day();
        let story = match decision.story.as_deref().and_then(parse_story_name) {
            Some(story) => {
                // Copies join the count but not the centroid: a republished
                // article should not pull its story towards itself.
                let unique = found.is_none();
                let current = self.state.story(story).cloned();
                let (unique_items, centroid) = match current {
                    Some(s) if unique => (s.unique_items + 1, add_truncated(&s.centroid, vector)),
                    Some(s) => (s.unique_items, s.centroid),
                    None => (1, truncate(vector.clone())),
                };
                self.conn
                    .execute(
                        "UPDATE stories SET items = items + 1, unique_items = ?2, centroid = ?3,
                         first_day = min(coalesce(first_day, ?4), coalesce(?4, first_day)),
                         last_day = max(coalesce(last_day, ?4), coalesce(?4, last_day))
                         WHERE id = ?1",
                        params![
                            story,
                            unique_items,
                            self.state.vector_to_json(&centroid),
                            day
                        ],
                    )
                    .map_err(db_error)?;
                self.state.put_story(story, unique_items, centroid);
                story
            }
            None => {
                let headline = if doc.title.trim().is_empty() {
                    item.text.text.chars().take(80).collect()
                } else {
                    doc.title.clone()
                };
                let centroid = truncate(vector.clone());
                self.conn
                    .execute(
                        "INSERT INTO stories(headline, items, unique_items, centroid, first_day, last_day)
                         VALUES (?1, 1, 1, ?2, ?3, ?3)",
                        params![headline, self.state.vector_to_json(&centroid), day],
                    )
                    .map_err(db_error)?;
                let story = self.conn.last_insert_rowid();
                self.state.put_story(story, 1, centroid);
                story
            }
        };
        let signature: Vec<u8> = item
            .signature
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        self.conn
            .execute(
                "INSERT INTO items(id, title, url, source, date, day, text, signature, vector,
                                   story, duplicate_of, jaccard, story_similarity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    doc.id,
                    doc.title,
                    doc.url,
                    doc.source,
                    doc.date,
                    day,
                    item.text.text,
                    signature,
                    self.state.vector_to_json(vector),
                    story,
                    decision.duplicate_of,
                    decision.jaccard,
                    decision.story_similarity,
                ],
            )
            .map_err(db_error)?;
        let seq = self.conn.last_insert_rowid();
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
        for &(id, _) in vector {
            count.execute([self.state.term(id)]).map_err(db_error)?;
        }
        let mut script = self
            .conn
            .prepare_cached(
                "INSERT INTO scripts(script, documents) VALUES (?1, 1)
                 ON CONFLICT(script) DO UPDATE SET documents = documents + 1",
            )
            .map_err(db_error)?;
        for s in self.state.scripts_of(vector) {
            script.execute([s as i64]).map_err(db_error)?;
        }
        self.state.count_document(vector);
        Ok(story)
    }

    /// A stored item by id.
    pub fn item(&mut self, id: &str) -> Result<Option<ItemRecord>> {
        self.conn
            .query_row(
                "SELECT id, title, url, source, date, story, duplicate_of, jaccard, story_similarity
                 FROM items WHERE id = ?1",
                [id],
                |r| {
                    Ok(ItemRecord {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        url: r.get(2)?,
                        source: r.get(3)?,
                        date: r.get(4)?,
                        story: story_name(r.get(5)?),
                        duplicate_of: r.get(6)?,
                        jaccard: r.get(7)?,
                        story_similarity: r.get(8)?,
                    })
                },
            )
            .optional()
            .map_err(db_error)
    }

    /// Every story, largest first (then oldest).
    pub fn stories(&mut self) -> Result<Vec<StoryRecord>> {
        self.refresh()?;
        let rows: Vec<StoryRow> = {
            let mut query = self
                .conn
                .prepare(&format!("{STORY_ROWS} ORDER BY items DESC, id"))
                .map_err(db_error)?;
            query
                .query_map([], story_row)
                .map_err(db_error)?
                .collect::<rusqlite::Result<_>>()
                .map_err(db_error)?
        };
        Ok(rows.into_iter().map(|row| self.record_from(row)).collect())
    }

    fn record_from(
        &mut self,
        (id, headline, items, unique_items, centroid, first, last): StoryRow,
    ) -> StoryRecord {
        let mut heaviest = self.state.vector_from_json(&centroid);
        heaviest.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        StoryRecord {
            id: story_name(id),
            headline,
            label: heaviest
                .iter()
                .take(5)
                .map(|&(term, _)| self.state.term(term).to_owned())
                .collect(),
            items,
            unique_items,
            first_date: first.map(day_to_date),
            last_date: last.map(day_to_date),
            members: None,
        }
    }

    /// One story with its members.
    pub fn story(&mut self, name: &str) -> Result<Option<StoryRecord>> {
        let Some(id) = parse_story_name(name) else {
            return Ok(None);
        };
        let row = self
            .conn
            .query_row(&format!("{STORY_ROWS} WHERE id = ?1"), [id], story_row)
            .optional()
            .map_err(db_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut record = self.record_from(row);
        let mut members = self
            .conn
            .prepare("SELECT id FROM items WHERE story = ?1 ORDER BY seq")
            .map_err(db_error)?;
        let ids = members
            .query_map([id], |r| r.get(0))
            .map_err(db_error)?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(db_error)?;
        record.members = Some(ids);
        Ok(Some(record))
    }

    /// Counts and settings.
    pub fn stats(&mut self) -> Result<Stats> {
        let count = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(db_error)
        };
        Ok(Stats {
            items: count("SELECT count(*) FROM items")?,
            duplicates: count("SELECT count(*) FROM items WHERE duplicate_of IS NOT NULL")?,
            stories: count("SELECT count(*) FROM stories")?,
            terms: count("SELECT count(*) FROM terms")?,
            dup_threshold: self.options.dedup.threshold,
            story_threshold: self.options.story_threshold,
        })
    }

    /// Removes the item `id`; false if there is none.
    pub fn remove(&mut self, id: &str) -> Result<bool> {
        Ok(self.remove_where("id = ?1", id)? > 0)
    }

    /// Removes every item dated before `day` (days since 1970-01-01);
    /// undated items stay. Returns how many went.
    pub fn prune(&mut self, day: i64) -> Result<usize> {
        self.remove_where("day < ?1", day)
    }

    /// Removes the items matching `condition` (on `items`, one parameter):
    /// their bands and term counts go, their stories are recomputed from
    /// the members left (or dropped when none is).
    fn remove_where(&mut self, condition: &str, value: impl rusqlite::ToSql) -> Result<usize> {
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
                let vector = self.state.vector_from_json(vector);
                for &(term, _) in &vector {
                    self.conn.execute(
                        "UPDATE terms SET df = df - 1 WHERE term = ?1",
                        [self.state.term(term)],
                    )?;
                }
                for script in self.state.scripts_of(&vector) {
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
                self.rebuild_story(story)?;
            }
            Ok(victims.len())
        })();
        let result = result.and_then(|n| self.conn.execute_batch("COMMIT").map(|()| n));
        if result.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        // Removal changes idf and centroids everywhere: reload.
        self.stale = true;
        let removed = result.map_err(db_error)?;
        self.refresh()?;
        Ok(removed)
    }

    /// Recomputes a story's counts, centroid and dates from its members.
    fn rebuild_story(&mut self, story: i64) -> rusqlite::Result<()> {
        let members: Vec<(String, Option<String>, Option<i64>)> = self
            .conn
            .prepare("SELECT vector, duplicate_of, day FROM items WHERE story = ?1")?
            .query_map([story], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if members.is_empty() {
            self.conn
                .execute("DELETE FROM stories WHERE id = ?1", [story])?;
            return Ok(());
        }
        let mut centroid: Vector = Vec::new();
        let mut unique = 0u32;
        for (vector, duplicate_of, _) in &members {
            if duplicate_of.is_none() {
                let v = self.state.vector_from_json(vector);
                centroid = add_truncated(&centroid, &v);
                unique += 1;
            }
        }
        let days: Vec<i64> = members.iter().filter_map(|m| m.2).collect();
        self.conn.execute(
            "UPDATE stories SET items = ?2, unique_items = ?3, centroid = ?4,
             first_day = ?5, last_day = ?6 WHERE id = ?1",
            params![
                story,
                members.len() as i64,
                unique,
                self.state.vector_to_json(&centroid),
                days.iter().min(),
                days.iter().max()
            ],
        )?;
        Ok(())
    }
}
