//! The index's SQLite schema and connection settings.

use rusqlite::Connection;

/// Version of the schema below, kept in `meta`.
pub const SCHEMA_VERSION: &str = "1";

/// Tables. `items.seq` orders items by arrival; band keys point at it.
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
    last_day     INTEGER
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
    story_similarity REAL
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
CREATE TABLE IF NOT EXISTS scripts (
    script    INTEGER PRIMARY KEY,
    documents INTEGER NOT NULL
);
";

/// Sets the connection up (WAL, a generous busy timeout so that writers
/// queue instead of failing) and creates the tables if needed.
pub fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    // WAL: readers never block the writer; NORMAL keeps every committed
    // transaction through a process crash (a power loss may lose the last
    // ones, never corrupt the file).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let created = conn.execute_batch(SCHEMA).and_then(|()| {
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?1)",
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
