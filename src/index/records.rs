//! Reading the index back: items, stories (an alias left by a settle's
//! merge resolves to the story that took it), each item's place as `run -f
//! tsv` prints it, and counts.

use super::settle::resolve;
use super::storage::parse_vector;
use super::{Index, Result, db_error, parse_story_name, story_name, thread_name};
use rusqlite::OptionalExtension;
use serde::Serialize;

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
    /// Its story now.
    pub story: String,
    /// Whether a settle placed it there (else provisional).
    pub settled: bool,
    /// The original it duplicates, if it is a copy.
    pub duplicate_of: Option<String>,
    /// Jaccard similarity to that original.
    pub jaccard: Option<f64>,
    /// Similarity to its story when it was decided.
    pub story_similarity: Option<f64>,
}

/// A story, as `index stories` and `GET /v1/stories` show it.
#[derive(Clone, Debug, Serialize)]
pub struct StoryRecord {
    /// `S` + number.
    pub id: String,
    /// The headline: the medoid's title once settled, else the first
    /// member's.
    pub headline: String,
    /// Its heaviest terms, in the text's own spelling once settled.
    pub label: Vec<String>,
    /// Members, copies included.
    pub items: u32,
    /// Members that are not near-duplicates of another.
    pub unique_items: u32,
    /// Earliest member date (`YYYY-MM-DD`), when dated.
    pub first_date: Option<String>,
    /// Latest member date.
    pub last_date: Option<String>,
    /// Its thread (`T` + number), once settled.
    pub thread: Option<String>,
    /// Whether a settle formed it (else it grew one item at a time).
    pub settled: bool,
    /// Member ids in arrival order (only for a single story).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    /// The tighter groups inside it, as the last settle found them: their
    /// member ids, sorted (only for a single story).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substories: Option<Vec<Vec<String>>>,
}

/// One item's place, with the columns of `run -f tsv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The item's id.
    pub id: String,
    /// Its story (`S` + number).
    pub story: String,
    /// Its near-duplicate group (`G` + the arrival number of its original),
    /// if it has copies or is one.
    pub duplicate_group: Option<String>,
    /// Its story's thread (`T` + number), once settled.
    pub thread: Option<String>,
}

/// Counts, for `index stats`.
#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    /// Stored items.
    pub items: u64,
    /// Of which near-duplicates of another.
    pub duplicates: u64,
    /// Items whose story a settle gave.
    pub settled_items: u64,
    /// Stories.
    pub stories: u64,
    /// Distinct terms.
    pub terms: u64,
    /// Jaccard threshold of near-duplicates.
    pub dup_threshold: f64,
    /// Story threshold in force.
    pub story_threshold: f32,
}

/// A story row as read.
struct StoryRow {
    id: i64,
    headline: String,
    items: u32,
    unique_items: u32,
    centroid: String,
    first_day: Option<i64>,
    last_day: Option<i64>,
    label: Option<String>,
    thread: Option<i64>,
    settled: bool,
    substories: Option<String>,
}

/// The query of [`StoryRow`]s; a condition or order follows.
const STORY_ROWS: &str = "SELECT id, headline, items, unique_items, centroid, first_day, last_day,
                                 label, thread, settled, substories
                          FROM stories";

fn story_row(r: &rusqlite::Row) -> rusqlite::Result<StoryRow> {
    Ok(StoryRow {
        id: r.get(0)?,
        headline: r.get(1)?,
        items: r.get(2)?,
        unique_items: r.get(3)?,
        centroid: r.get(4)?,
        first_day: r.get(5)?,
        last_day: r.get(6)?,
        label: r.get(7)?,
        thread: r.get(8)?,
        settled: r.get(9)?,
        substories: r.get(10)?,
    })
}

fn day_to_date(day: i64) -> String {
    crate::corpus::format_day(day * crate::corpus::DAY_SECONDS)
}

impl Index {
    /// A stored item by id.
    pub fn item(&self, id: &str) -> Result<Option<ItemRecord>> {
        self.conn
            .query_row(
                "SELECT id, title, url, source, date, story, settled, duplicate_of, jaccard,
                        story_similarity
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
                        settled: r.get(6)?,
                        duplicate_of: r.get(7)?,
                        jaccard: r.get(8)?,
                        story_similarity: r.get(9)?,
                    })
                },
            )
            .optional()
            .map_err(db_error)
    }

    /// Every story, largest first (then oldest).
    pub fn stories(&self) -> Result<Vec<StoryRecord>> {
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
        Ok(rows
            .into_iter()
            .map(|row| StoryRecord {
                substories: None,
                ..self.record_from(row)
            })
            .collect())
    }

    fn record_from(&self, row: StoryRow) -> StoryRecord {
        let substories = row
            .substories
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok());
        let label = match row.label.and_then(|l| serde_json::from_str(&l).ok()) {
            Some(label) => label,
            None => {
                let mut heaviest = parse_vector(&row.centroid);
                heaviest.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                heaviest
                    .into_iter()
                    .take(self.options().config().stories.label_terms)
                    .map(|(term, _)| term)
                    .collect()
            }
        };
        StoryRecord {
            id: story_name(row.id),
            headline: row.headline,
            label,
            items: row.items,
            unique_items: row.unique_items,
            first_date: row.first_day.map(day_to_date),
            last_date: row.last_day.map(day_to_date),
            thread: row.thread.map(thread_name),
            settled: row.settled,
            members: None,
            substories,
        }
    }

    /// One story with its members; the id of a story a settle merged away
    /// gives the story that took it.
    pub fn story(&self, name: &str) -> Result<Option<StoryRecord>> {
        let Some(id) = parse_story_name(name) else {
            return Ok(None);
        };
        let id = resolve(&self.conn, id).map_err(db_error)?;
        let row = self
            .conn
            .query_row(&format!("{STORY_ROWS} WHERE id = ?1"), [id], story_row)
            .optional()
            .map_err(db_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut record = self.record_from(row);
        record.substories.get_or_insert_with(Vec::new);
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

    /// Every item's place, sorted by id (as `run -f tsv` lists documents).
    pub fn placements(&self) -> Result<Vec<Placement>> {
        let mut query = self
            .conn
            .prepare(
                "SELECT i.id, i.story, i.duplicate_group, s.thread
                 FROM items i LEFT JOIN stories s ON s.id = i.story
                 ORDER BY i.id",
            )
            .map_err(db_error)?;
        query
            .query_map([], |r| {
                Ok(Placement {
                    id: r.get(0)?,
                    story: story_name(r.get(1)?),
                    duplicate_group: r.get::<_, Option<i64>>(2)?.map(|g| format!("G{g}")),
                    thread: r.get::<_, Option<i64>>(3)?.map(thread_name),
                })
            })
            .map_err(db_error)?
            .collect::<rusqlite::Result<_>>()
            .map_err(db_error)
    }

    /// Counts and settings.
    pub fn stats(&self) -> Result<Stats> {
        self.refresh()?;
        let count = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(db_error)
        };
        Ok(Stats {
            items: count("SELECT count(*) FROM items")?,
            duplicates: count("SELECT count(*) FROM items WHERE duplicate_of IS NOT NULL")?,
            settled_items: count("SELECT count(*) FROM items WHERE settled = 1")?,
            stories: count("SELECT count(*) FROM stories")?,
            terms: count("SELECT count(*) FROM terms")?,
            dup_threshold: self.options().dedup().threshold,
            story_threshold: self.view().threshold,
        })
    }
}
