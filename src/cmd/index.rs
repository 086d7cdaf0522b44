//! `story-cluster index`: build and look after the persistent index
//! (feature `index`): `add`, `stats`, `stories`, `remove`, `prune`.

use super::common::{InputArgs, read_corpus};
use super::output::finished;
use clap::{Args as ClapArgs, Subcommand};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use story_cluster::corpus::Document;
use story_cluster::corpus::{DAY_SECONDS, parse_time};
use story_cluster::error::{Error, exit_code};
use story_cluster::index::{Index, IndexOptions};

/// Build and look after a persistent index of published items.
#[derive(Debug, ClapArgs)]
#[command(after_help = "Exit codes: 0 success, 1 bad input or index error, 2 usage error.")]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

/// The index file, shared by every index command.
#[derive(Debug, ClapArgs)]
pub struct DbArgs {
    /// The index file (SQLite; created if missing).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
}

impl DbArgs {
    /// Opens the index with the default settings.
    pub fn open(&self) -> Result<Index, Error> {
        Index::open(&self.db, IndexOptions::default())
    }
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Add items (folders, JSON lines, RSS/Atom feeds), copies included; one
    /// JSON line per item on stdout once its batch is committed.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        input: InputArgs,
        /// Items committed per transaction (each line printed is durable).
        #[arg(long, default_value_t = 256, value_name = "N")]
        batch: usize,
    },
    /// Counts and settings, as JSON.
    Stats {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Every story, largest first, as JSON lines.
    Stories {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove one item by id.
    Remove {
        #[command(flatten)]
        db: DbArgs,
        /// The item's id.
        id: String,
    },
    /// Remove every item dated before DATE (YYYY-MM-DD); undated items stay.
    Prune {
        #[command(flatten)]
        db: DbArgs,
        /// The first date kept.
        #[arg(long, value_name = "DATE")]
        before: String,
    },
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    match args.action {
        Action::Add { db, input, batch } => {
            let mut index = db.open()?;
            let (docs, problems) = read_in_arrival_order(&input)?;
            let mut out = std::io::stdout().lock();
            for chunk in docs.chunks(batch.max(1)) {
                let decisions = index.add(chunk, true)?;
                write_lines(&mut out, &decisions)?;
            }
            Ok(exit_code(problems))
        }
        Action::Stats { db } => {
            let stats = db.open()?.stats()?;
            write_lines(&mut std::io::stdout().lock(), &[stats])?;
            Ok(exit_code(false))
        }
        Action::Stories { db } => {
            let stories = db.open()?.stories()?;
            write_lines(&mut std::io::stdout().lock(), &stories)?;
            Ok(exit_code(false))
        }
        Action::Remove { db, id } => {
            if db.open()?.remove(&id)? {
                eprintln!("story-cluster: removed '{id}'");
                Ok(exit_code(false))
            } else {
                Err(Error::Input(format!(
                    "no item '{id}' in {}",
                    db.db.display()
                )))
            }
        }
        Action::Prune { db, before } => {
            let day = parse_time(&before)
                .map(|time| time.div_euclid(DAY_SECONDS))
                .ok_or_else(|| Error::Usage(format!("--before: '{before}' is not a date")))?;
            let removed = db.open()?.prune(day)?;
            eprintln!("story-cluster: pruned {removed} items dated before {before}");
            Ok(exit_code(false))
        }
    }
}

/// Reads the inputs and puts the documents back in input order: the index
/// decides item by item, in the order items arrive. Returns the documents
/// and whether any input was bad.
pub fn read_in_arrival_order(input: &InputArgs) -> Result<(Vec<Document>, bool), Error> {
    let corpus = read_corpus(input)?;
    let mut docs = corpus.documents;
    docs.sort_by_key(|d| d.position);
    Ok((docs, !corpus.problems.is_empty()))
}

/// Writes values as JSON lines and flushes, so that a reader (or a killed
/// run) sees each batch as soon as it is committed.
pub fn write_lines<T: Serialize>(out: &mut dyn Write, values: &[T]) -> Result<(), Error> {
    let written = values
        .iter()
        .try_for_each(|v| {
            serde_json::to_writer(&mut *out, v)?;
            out.write_all(b"\n")
        })
        .and_then(|()| out.flush());
    finished(written)
}
