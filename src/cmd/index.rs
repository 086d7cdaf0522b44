//! `story-cluster index`: build and look after the persistent index
//! (feature `index`): `add`, `settle`, `stats`, `stories`, `story`,
//! `remove`, `prune`.

use super::common::{InputArgs, read_corpus};
use super::output::{finished, write_to};
use clap::{Args as ClapArgs, Subcommand};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use story_cluster::corpus::Document;
use story_cluster::corpus::{DAY_SECONDS, parse_time};
use story_cluster::error::{Error, exit_code};
use story_cluster::index::{Index, IndexOptions};
use story_cluster::report::write_tsv;

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
    /// The index file (SQLite). Only `index add` and `publish` create it;
    /// other commands refuse a missing file.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
}

impl DbArgs {
    /// Opens the index with the default settings; it must exist.
    pub fn open(&self) -> Result<Index, Error> {
        Index::open(&self.db, IndexOptions::default())
    }

    /// Opens the index with the default settings, creating it if missing.
    pub fn open_or_create(&self) -> Result<Index, Error> {
        Index::open_or_create(&self.db, IndexOptions::default())
    }
}

/// How `index stories` prints.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum StoriesFormat {
    /// One JSON object per story, largest first.
    Jsonl,
    /// `doc_id<TAB>story<TAB>duplicate_group<TAB>thread`, one row per
    /// item sorted by id: the rows of `run -f tsv`.
    Tsv,
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
    /// Re-run the batch pipeline of `run` over the stored items (the most
    /// recent --window of them) and write its stories back; story ids stay
    /// where the stories stay. Prints what changed, as JSON.
    Settle {
        #[command(flatten)]
        db: DbArgs,
        /// Items re-clustered: the most recent, in arrival order.
        #[arg(long, default_value_t = story_cluster::index::DEFAULT_WINDOW, value_name = "N")]
        window: usize,
    },
    /// Counts and settings, as JSON.
    Stats {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Every story, largest first, as JSON lines; or every item's place.
    Stories {
        #[command(flatten)]
        db: DbArgs,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value = "jsonl")]
        format: StoriesFormat,
    },
    /// One story with its members and sub-stories, as JSON (the id of a
    /// story a settle merged away gives the story that took it).
    Story {
        #[command(flatten)]
        db: DbArgs,
        /// The story's id (`S` + number).
        id: String,
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
            let index = db.open_or_create()?;
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
        Action::Settle { db, window } => {
            let mut options = IndexOptions::default();
            options.settle.window = window;
            let summary = Index::open(&db.db, options)?.settle()?;
            write_lines(&mut std::io::stdout().lock(), &[summary])?;
            Ok(exit_code(false))
        }
        Action::Stories { db, format } => {
            let index = db.open()?;
            match format {
                StoriesFormat::Jsonl => {
                    write_lines(&mut std::io::stdout().lock(), &index.stories()?)?
                }
                StoriesFormat::Tsv => {
                    let places = index.placements()?;
                    write_to(None, |out| {
                        write_tsv(
                            out,
                            places.iter().map(|place| {
                                [
                                    place.id.as_str(),
                                    &place.story,
                                    place.duplicate_group.as_deref().unwrap_or(""),
                                    place.thread.as_deref().unwrap_or(""),
                                ]
                            }),
                        )
                    })?
                }
            }
            Ok(exit_code(false))
        }
        Action::Story { db, id } => match db.open()?.story(&id)? {
            Some(story) => {
                write_lines(&mut std::io::stdout().lock(), &[story])?;
                Ok(exit_code(false))
            }
            None => Err(Error::Input(format!(
                "no story '{id}' in {}",
                db.db.display()
            ))),
        },
        Action::Remove { db, id } => {
            if db.open()?.remove(&id)? {
                story_cluster::error::note(format_args!("story-cluster: removed '{id}'"));
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
            story_cluster::error::note(format_args!(
                "story-cluster: pruned {removed} items dated before {before}"
            ));
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
