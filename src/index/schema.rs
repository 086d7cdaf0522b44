//! The index's SQLite schema and connection settings.

use rusqlite::Connection;

/// Version of the schema below, kept in `meta`.
pub const SCHEMA_VERSION: &str = "2";

/// Tables. `items.seq` orders items by arrival; band keys point at it.
/// `items.body` is the text as given (what a settle re-reads; the
/// normalised `text` serves the near-duplicate check), `items.weights` its
/// term weights before idf (so that a vector can be made with the idf of
/// now). `settled` marks the stories and items last placed by a settle
/// rather than one item at a time; `boilerplate` holds the hashes of the
/// lines the last settle found to be boilerplate; `aliases` maps the ids of stories a
/// settle merged away to the story that took their members.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stories (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    headline     TEXT NOT NULL,
    items        INTEGER NOT NULL,
    unique_items INTEGER NOT NULL,
    centroid     TEXT NOT NULL,
    first_day    INTEGER,
    last_day     INTEGER,
    first_time   INTEGER,
    last_time    INTEGER,
    label        TEXT,
    substories   TEXT,
    thread       INTEGER,
    settled      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    url              TEXT,
    source           TEXT,
    date             TEXT,
    day              INTEGER,
    text             TEXT NOT NULL,
    signature        BLOB NOT NULL,
    vector           TEXT NOT NULL,
    story            INTEGER NOT NULL REFERENCES stories(id),
    duplicate_of     TEXT,
    jaccard          REAL,
    story_similarity REAL,
    body             TEXT,
    time             INTEGER,
    weights          TEXT,
    duplicate_group  INTEGER,
    settled          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS items_story ON items(story);
CREATE INDEX IF NOT EXISTS items_day ON items(day);
CREATE TABLE IF NOT EXISTS bands (
    key  INTEGER NOT NULL,
    item INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS bands_key ON bands(key);
CREATE INDEX IF NOT EXISTS bands_item ON bands(item);
CREATE TABLE IF NOT EXISTS terms (
    term TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aliases (
    alias INTEGER PRIMARY KEY,
    story INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS boilerplate (
    hash INTEGER PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS scripts (
    script    INTEGER PRIMARY KEY,
    documents INTEGER NOT NULL
);
";

/// Sets the connection up (WAL, a generous busy timeout so that writers
/// queue instead of failing) and creates the tables if needed.
pub fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL: readers never block the writer; NORMAL keeps every committed
    // transaction through a process crash (a power loss may lose the last
    // ones, never corrupt the file).
    set_wal(conn)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Reads through a memory map and a larger page cache: a check's band
    // lookups and candidate texts cost a system call per page otherwise
    // (a fifth of a check's time on an index of 100,000 items).
    conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
    conn.pragma_update(None, "cache_size", -32_768)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let created = conn
        .execute_batch(SCHEMA)
        .and_then(|()| upgrade(conn))
        .and_then(|()| {
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', ?1)",
                [SCHEMA_VERSION],
            )
        });
    match created {
        Ok(_) => conn.execute_batch("COMMIT"),
        Err(err) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(err)
        }
    }
}

/// Puts the database in WAL mode, once for the file's life. Changing the
/// mode needs the file to itself, and SQLite answers "database is locked"
/// at once, without its busy handler, when another connection is opening
/// it (two writers creating one index together): so the mode is read
/// first, and the change retried for as long as the busy timeout.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    loop {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(err, _))
                if err.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => other?,
        }
    }
}

/// How long a connection waits for another's lock before it fails.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Columns added since schema 1, for an index made before them. Items
/// stored then have no body (a settle reads their normalised text instead)
/// and no weights (their stored vector stands in).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("stories", "first_time", "INTEGER"),
    ("stories", "last_time", "INTEGER"),
    ("stories", "label", "TEXT"),
    ("stories", "substories", "TEXT"),
    ("stories", "thread", "INTEGER"),
    ("stories", "settled", "INTEGER NOT NULL DEFAULT 0"),
    ("items", "body", "TEXT"),
    ("items", "time", "INTEGER"),
    ("items", "weights", "TEXT"),
    ("items", "duplicate_group", "INTEGER"),
    ("items", "settled", "INTEGER NOT NULL DEFAULT 0"),
];

/// Adds the columns an older index lacks.
fn upgrade(conn: &Connection) -> rusqlite::Result<()> {
    for &(table, column, declaration) in ADDED_COLUMNS {
        let present: bool = conn.query_row(
            &format!("SELECT count(*) FROM pragma_table_info('{table}') WHERE name = ?1"),
            [column],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !present {
            conn.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {declaration}"
            ))?;
        }
    }
    Ok(())
}
