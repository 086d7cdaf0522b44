//! The persistent index behind `index`, `check`, `publish` and `serve`
//! (feature `index`): is a new item a near-duplicate of something already
//! accepted, and which running story does it join? One SQLite file in WAL
//! mode.
//!
//! Items get a *provisional* decision as they arrive (`decide.rs`): a
//! near-duplicate of a stored item (the same exact-Jaccard test as `dedup`
//! over LSH candidates) joins that item's story; otherwise the item joins
//! the story whose members it is most similar to on average, time counted
//! as in `run`, when that reaches the story threshold in force, or starts
//! a story of its own. Each item is stored
//! (`storage.rs`) with its text as given, its normalised text, MinHash band
//! keys and term weights before idf, so that vectors are always made with
//! the idf of now.
//!
//! A *settle* (`settle.rs`) re-runs the batch pipeline of `run` over the
//! stored items and writes its stories back, keeping story ids stable; then
//! the index holds the stories `run` gives on the same items. `records.rs`
//! reads items and stories back.
//!
//! Writers take SQLite's write lock for a whole batch and first catch up
//! with whatever other connections committed, so several processes can add
//! to one index; every decision sees every item committed before it.

mod decide;
mod records;
mod schema;
mod settle;
mod state;
mod storage;

pub use records::{ItemRecord, Placement, Stats, StoryRecord};
pub use settle::{DEFAULT_WINDOW, SettleOptions, SettleSummary, carry_ids};

use crate::dedup::DedupOptions;
use crate::pipeline::Config;
use crate::sketch::{Bands, MinHasher};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use state::State;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Index settings: those of `run`, and the window a settle covers.
#[derive(Clone, Debug, Default)]
pub struct IndexOptions {
    /// Settle window and the pipeline's settings (near-duplicates, vector
    /// weighting, stories, boilerplate), used by decisions too.
    pub settle: SettleOptions,
}

impl IndexOptions {
    fn dedup(&self) -> &DedupOptions {
        &self.settle.config.dedup
    }

    fn config(&self) -> &Config {
        &self.settle.config
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
    /// close enough (`index add` and `publish` then start one). For an item
    /// already stored, its story now.
    pub story: Option<String>,
    /// Its mean similarity to that story's members, time counted (before
    /// joining).
    pub story_similarity: Option<f64>,
    /// Whether the story was given by a settle (only for an item already
    /// stored); a decision on a new item is provisional: the next settle
    /// may move it.
    pub settled: bool,
}

/// A handle on a persistent index in one SQLite file: its own connection,
/// and the in-memory view it shares with every handle made from it
/// ([`Index::opener`]), so that a service decides on many items at once
/// from one copy of the state.
pub struct Index {
    conn: Connection,
    shared: Arc<Shared>,
    /// Whether this handle reloads the shared view when the database has
    /// moved on. A service's request handles do not: loading a large
    /// index takes seconds, so its upkeep thread does it for them while
    /// they go on with the view they have.
    follows: bool,
}

/// Makes more handles on an open index, sharing its view.
#[derive(Clone)]
pub struct Opener {
    shared: Arc<Shared>,
}

/// What the handles on one index share.
struct Shared {
    path: PathBuf,
    options: IndexOptions,
    /// The signer and banding of the near-duplicate settings, made once.
    hasher: MinHasher,
    bands: Bands,
    view: RwLock<View>,
    /// Stored items, as of the last load or write (for health checks,
    /// which take no lock).
    items: AtomicU64,
}

/// The in-memory state and what it was loaded from. Decisions hold the
/// read lock; a writer takes the write lock only to change the state in
/// memory (never across SQL), and a reload builds the new state first.
struct View {
    state: State,
    /// The story threshold in force, as the last settle scaled it (or
    /// scaled to the corpus size until one has run).
    threshold: f32,
    /// The `generation` in `meta` the state reflects: every write
    /// transaction raises it, so a handle sees another's (or another
    /// process's) commits. −1 when the state may not match the database
    /// (a write that failed half-way).
    generation: i64,
}

type Result<T> = std::result::Result<T, crate::error::Error>;

fn db_error(err: rusqlite::Error) -> crate::error::Error {
    crate::error::Error::Index(err.to_string())
}

/// Story ids as shown: `S` + number.
fn story_name(id: i64) -> String {
    format!("S{id}")
}

/// Thread ids as shown: `T` + number.
fn thread_name(id: i64) -> String {
    format!("T{id}")
}

/// A story id as shown back to its number.
pub fn parse_story_name(name: &str) -> Option<i64> {
    name.strip_prefix('S')?.parse().ok()
}

/// The `generation` of the database (0 before any write).
fn generation(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'",
        [],
        |r| r.get(0),
    )
    .optional()
    .map(|g| g.unwrap_or(0))
}

/// Raises the `generation` inside a write transaction; returns the new one.
fn next_generation(conn: &Connection) -> rusqlite::Result<i64> {
    let next = generation(conn)? + 1;
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', ?1)",
        [next.to_string()],
    )?;
    Ok(next)
}

impl Opener {
    /// Another handle on the index, with its own connection.
    pub fn open(&self) -> Result<Index> {
        let conn = connect(&self.shared.path)?;
        Ok(Index {
            conn,
            shared: Arc::clone(&self.shared),
            follows: true,
        })
    }

    /// A handle that never reloads the shared view itself (see
    /// `Index::refresh`): decisions on it never wait for a load.
    pub fn open_reader(&self) -> Result<Index> {
        Ok(Index {
            follows: false,
            ..self.open()?
        })
    }

    /// Stored items as of the last load or write, without touching the
    /// database or waiting for a lock.
    pub fn items(&self) -> u64 {
        self.shared.items.load(Ordering::Relaxed)
    }
}

fn connect(path: &Path) -> Result<Connection> {
    let fail =
        |err: rusqlite::Error| crate::error::Error::Index(format!("{}: {err}", path.display()));
    let conn = Connection::open(path).map_err(fail)?;
    schema::prepare(&conn).map_err(fail)?;
    Ok(conn)
}

impl Index {
    /// Opens the index at `path`, which must exist: a mistyped path is an
    /// error, not a new empty index against which every copy passes.
    pub fn open(path: &Path, options: IndexOptions) -> Result<Index> {
        if !path.is_file() {
            return Err(crate::error::Error::Input(format!(
                "{}: no index there (`index add` or `publish` creates one)",
                path.display()
            )));
        }
        Index::open_or_create(path, options)
    }

    /// Opens the index at `path`, creating it if needed.
    pub fn open_or_create(path: &Path, options: IndexOptions) -> Result<Index> {
        let conn = connect(path)?;
        let index = Index {
            conn,
            shared: Arc::new(Shared {
                path: path.to_owned(),
                hasher: options.dedup().hasher(),
                bands: options.dedup().bands(),
                view: RwLock::new(View {
                    state: State::default(),
                    threshold: options.config().stories.threshold,
                    generation: -1,
                }),
                options,
                items: AtomicU64::new(0),
            }),
            follows: true,
        };
        index.refresh()?;
        Ok(index)
    }

    /// Brings the shared view up to date with the database (what a
    /// service's upkeep thread does for its reader handles).
    pub fn follow(&self) -> Result<()> {
        self.refresh()
    }

    /// Makes more handles on this index (for a service's threads).
    pub fn opener(&self) -> Opener {
        Opener {
            shared: Arc::clone(&self.shared),
        }
    }

    fn options(&self) -> &IndexOptions {
        &self.shared.options
    }

    /// The view, for reading (a poisoned lock is still a sound state: the
    /// writer only ever swaps whole values in it).
    fn view(&self) -> RwLockReadGuard<'_, View> {
        self.shared.view.read().unwrap_or_else(|p| p.into_inner())
    }

    fn view_mut(&self) -> RwLockWriteGuard<'_, View> {
        self.shared.view.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Marks the view as not matching the database (after a failed write).
    fn invalidate(&self) {
        self.view_mut().generation = -1;
    }

    /// Reloads the shared state if the database has moved on (another
    /// handle or process wrote, or a write failed half-way); on a reader
    /// handle, only inside a write. The new state is built before the lock
    /// is taken.
    fn refresh(&self) -> Result<()> {
        // A write needs the current state even on a reader handle.
        if !self.follows && self.conn.is_autocommit() {
            return Ok(());
        }
        // Inside a write transaction already, or in a read one of our own:
        // either way the reads below see one version of the database.
        let own = self.conn.is_autocommit();
        if own {
            self.conn.execute_batch("BEGIN").map_err(db_error)?;
        }
        let loaded = self.load_if_moved();
        if own {
            let _ = self.conn.execute_batch("COMMIT");
        }
        loaded
    }

    fn load_if_moved(&self) -> Result<()> {
        let generation = generation(&self.conn).map_err(db_error)?;
        if self.view().generation == generation {
            return Ok(());
        }
        let state = State::load(&self.conn).map_err(db_error)?;
        let threshold = self.threshold_in_force()?;
        let items: i64 = self
            .conn
            .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
            .map_err(db_error)?;
        let mut view = self.view_mut();
        if view.generation != generation {
            *view = View {
                state,
                threshold,
                generation,
            };
            self.shared.items.store(items as u64, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The story threshold the last settle used; before any, the default
    /// scaled to the number of stored items (their length is not known
    /// until a settle reads them).
    fn threshold_in_force(&self) -> Result<f32> {
        let settled: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'story_threshold'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_error)?;
        if let Some(threshold) = settled.and_then(|t| t.parse::<f32>().ok()) {
            return Ok(threshold);
        }
        let distinct: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM items WHERE duplicate_of IS NULL",
                [],
                |r| r.get(0),
            )
            .map_err(db_error)?;
        let stories = &self.options().config().stories;
        Ok(stories.threshold * crate::story::size_scale(distinct as usize))
    }

    /// Re-runs the batch pipeline over the stored items of the window and
    /// writes the stories back (see `settle.rs`).
    pub fn settle(&self) -> Result<SettleSummary> {
        let snapshot = settle::Snapshot::read(&self.conn, self.options().settle.window)?;
        let plan = snapshot.plan(self.options().config());
        let summary = plan.write(&self.conn)?;
        // The settle rewrote centroids and the threshold: reload.
        self.refresh()?;
        Ok(summary)
    }
}
