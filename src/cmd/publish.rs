//! `story-cluster publish`: store the new items in the index and write only
//! them, so that a pipeline publishes what comes out.
//!
//! Nothing is lost when the output fails: items are written first (files
//! flushed to disk) and stored only once every write succeeded, in the
//! same transaction as their decisions; a failed write stores nothing, so
//! a rerun publishes the same items again.

use super::common::InputArgs;
use super::index::{DbArgs, read_in_arrival_order, write_lines};
use clap::Args as ClapArgs;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use story_cluster::corpus::Document;
use story_cluster::error::{Error, exit_code};
use story_cluster::index::{Decision, Status};
use story_cluster::report::dedup::write_documents;
use story_cluster::sketch::hash::hash_str;

/// Store the new items and write only them; near-duplicates of indexed
/// items are held back (and not stored).
///
/// `--out -` writes JSON lines (id, title, text, date, url, source) to
/// stdout; `--out DIR` writes one `ID.json` file per new item (see
/// --help for how ids become file names). The decision on every item goes
/// to stderr as a JSON line once the items are stored.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "File names: letters, digits, '-', '_' and '.' stay; every other byte of the id becomes %XX (so 'a/b' is 'a%2Fb.json', never 'a_b.json'), a leading '.' too; an id over 200 bytes so written is cut and ends in '~' and a hash of the whole id.\n\nExit codes: 0 success, 1 bad input, index error or failed output (nothing stored), 2 usage error."
)]
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
    let index = args.db.open_or_create()?;
    let (docs, bad_input) = read_in_arrival_order(&args.input)?;
    let to_stdout = args.out.as_os_str() == "-";
    let decisions = index.add_then(&docs, false, |decisions| {
        let new = new_items(&docs, decisions);
        if to_stdout {
            write_stdout(&new)
        } else {
            write_folder(&args.out, &new)
        }
    })?;
    write_lines(&mut io::stderr().lock(), &decisions)?;
    Ok(exit_code(bad_input))
}

fn new_items<'a>(docs: &'a [Document], decisions: &[Decision]) -> Vec<&'a Document> {
    docs.iter()
        .zip(decisions)
        .filter(|(_, d)| d.status == Status::New)
        .map(|(doc, _)| doc)
        .collect()
}

/// JSON lines on stdout, flushed; a closed pipe is a failure here (the
/// items were not published).
fn write_stdout(docs: &[&Document]) -> Result<(), Error> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    write_documents(docs, &mut out)
        .and_then(|()| out.flush())
        .map_err(|err| Error::Input(format!("standard output: {err}; nothing stored")))
}

/// One file per item, each written to disk (and the folder's entries
/// too) before the items are stored.
fn write_folder(dir: &Path, docs: &[&Document]) -> Result<(), Error> {
    let failed = |path: &Path, err: io::Error| {
        Error::Input(format!(
            "{}: cannot write: {err}; nothing stored",
            path.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(|err| failed(dir, err))?;
    for doc in docs {
        let path = dir.join(format!("{}.json", file_stem(&doc.id)));
        let written = File::create(&path).and_then(|mut file| {
            let mut line = Vec::new();
            write_documents(&[doc], &mut line)?;
            file.write_all(&line)?;
            file.sync_all()
        });
        written.map_err(|err| failed(&path, err))?;
    }
    // The files' names are durable once the folder is synced.
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|err| failed(dir, err))
}

/// Longest file stem written whole, in bytes.
const MAX_STEM_BYTES: usize = 200;

/// A file stem for an id that no other id shares (see the command's help).
fn file_stem(id: &str) -> String {
    let mut stem = String::with_capacity(id.len());
    for (i, byte) in id.bytes().enumerate() {
        let plain =
            byte.is_ascii_alphanumeric() || b"-_".contains(&byte) || (byte == b'.' && i > 0);
        if plain {
            stem.push(byte as char);
        } else {
            stem.push_str(&format!("%{byte:02X}"));
        }
    }
    if stem.len() > MAX_STEM_BYTES {
        // The encoded stem is ASCII: any byte is a boundary.
        stem.truncate(MAX_STEM_BYTES - 17);
        stem.push_str(&format!("~{:016x}", hash_str(id)));
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn distinct_ids_get_distinct_safe_names() {
        assert_eq!(file_stem("a/b"), "a%2Fb");
        assert_eq!(file_stem("a_b"), "a_b");
        assert_eq!(file_stem("a%2Fb"), "a%252Fb");
        assert_eq!(file_stem(".."), "%2E.");
        assert_eq!(file_stem("report-1.2"), "report-1.2");
        assert_eq!(file_stem("كيري"), "%D9%83%D9%8A%D8%B1%D9%8A");
        let long = "x".repeat(500);
        let other = format!("{}y", "x".repeat(499));
        assert_eq!(file_stem(&long).len(), 200);
        assert_ne!(file_stem(&long), file_stem(&other));
        assert!(!file_stem("a\\b/c:d").contains(['/', '\\', ':']));
    }
}
