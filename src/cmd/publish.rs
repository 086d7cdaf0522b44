//! `story-cluster publish`: store the new items in the index and write only
//! them, so that a pipeline publishes what comes out.

use super::common::InputArgs;
use super::index::{DbArgs, read_in_arrival_order, write_lines};
use super::output::write_to;
use clap::Args as ClapArgs;
use std::path::{Path, PathBuf};
use story_cluster::corpus::Document;
use story_cluster::error::{Error, exit_code};
use story_cluster::index::Status;
use story_cluster::report::dedup::write_documents;

/// Store the new items and write only them; near-duplicates of indexed
/// items are held back (and not stored).
///
/// `--out -` writes JSON lines (id, title, text, date, url, source) to
/// stdout; `--out DIR` writes one `ID.json` file per new item. The decision
/// on every item goes to stderr as a JSON line.
#[derive(Debug, ClapArgs)]
#[command(after_help = "Exit codes: 0 success, 1 bad input or index error, 2 usage error.")]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    input: InputArgs,
    /// Where the new items go: a folder, or - for standard output.
    #[arg(long, value_name = "DIR|-")]
    out: PathBuf,
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    let mut index = args.db.open_or_create()?;
    let (docs, bad_input) = read_in_arrival_order(&args.input)?;
    let decisions = index.add(&docs, false)?;
    let new: Vec<&Document> = docs
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| d.status == Status::New)
        .map(|(doc, _)| doc)
        .collect();
    write_lines(&mut std::io::stderr().lock(), &decisions)?;
    if args.out.as_os_str() == "-" {
        write_to(None, |out| write_documents(&new, out))?;
    } else {
        write_folder(&args.out, &new)?;
    }
    Ok(exit_code(bad_input))
}

/// One `ID.json` per item (characters other than letters, digits, `-`, `_`
/// and `.` in the id become `_`).
fn write_folder(dir: &Path, docs: &[&Document]) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .map_err(|err| Error::Input(format!("{}: cannot create: {err}", dir.display())))?;
    for doc in docs {
        let name: String = doc
            .id
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{}.json", name.trim_start_matches('.')));
        write_to(Some(&path), |out| {
            let mut line = Vec::new();
            write_documents(&[doc], &mut line)?;
            out.write_all(line.trim_ascii_end())?;
            out.write_all(b"\n")
        })?;
    }
    Ok(())
}
