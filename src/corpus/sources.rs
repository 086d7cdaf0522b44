//! Turning the paths given on the command line into the list of sources to
//! read: folders are walked recursively in name order, hidden entries and
//! files of other kinds are passed over with a note.

use super::ReadOptions;
use crate::error::InputProblem;
use crate::progress::Stage;
use ahash::AHashSet;
use flate2::read::MultiGzDecoder;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// How a source's bytes become documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// One document per file (`.txt`, `.md`).
    Text,
    /// JSON lines or a JSON array of objects (`.jsonl`, `.ndjson`, `.json`).
    Json,
    /// An RSS or Atom feed (`.rss`, `.atom`, `.xml`).
    #[cfg(feature = "feeds")]
    Feed,
    /// Standard input, sniffed for JSON or plain text.
    Stdin,
    /// A Parquet file (`.parquet`): one document per row.
    #[cfg(feature = "parquet")]
    Parquet,
}

/// One file (or standard input) to read.
#[derive(Clone, Debug)]
pub struct Source {
    /// `-` for standard input.
    pub path: PathBuf,
    /// What the bytes hold.
    pub kind: SourceKind,
    /// Whether the bytes are gzip-compressed (`.gz`).
    pub gzip: bool,
}

impl Source {
    /// The path as shown in messages.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }

    /// The file name without its kind's extensions: the id of a text document.
    pub fn stem(&self) -> &str {
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("document");
        let name = name.strip_suffix(".gz").unwrap_or(name);
        match name.rfind('.') {
            Some(dot) if dot > 0 => &name[..dot],
            _ => name,
        }
    }

    /// Opens the source for reading, decompressing if needed.
    /// The bytes read from the file itself (before decompression) are
    /// counted on `stage`.
    pub fn open(
        &self,
        options: &ReadOptions,
        stage: &Stage,
    ) -> Result<Box<dyn Read + Send>, InputProblem> {
        if self.kind == SourceKind::Stdin {
            return Ok(Box::new(io::stdin()));
        }
        let file = fs::File::open(&self.path)
            .map_err(|err| InputProblem::file(self.display(), format!("cannot open: {err}")))?;
        if !self.gzip && self.kind == SourceKind::Text {
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            if size > options.max_document_bytes {
                return Err(InputProblem::file(
                    self.display(),
                    format!(
                        "file too large for one document ({size} bytes; the limit is {})",
                        options.max_document_bytes
                    ),
                ));
            }
        }
        let compressed = file.metadata().map(|m| m.len()).unwrap_or(0);
        let reader = io::BufReader::with_capacity(256 * 1024, stage.counting(file));
        Ok(if self.gzip {
            let limit = compressed
                .saturating_mul(MAX_EXPANSION)
                .max(options.max_document_bytes);
            Box::new(Bounded {
                inner: MultiGzDecoder::new(reader),
                left: limit,
                limit,
            })
        } else {
            Box::new(reader)
        })
    }
}

/// How many times its own size a compressed file may expand to (and at
/// least the document size limit). Text and JSON compress 2–5 times in
/// practice (the bundled and dev corpora: 2.8–4.8); a file that expands
/// more than this is a compression bomb, and reading it stops there, so
/// memory stays bounded by what was read.
const MAX_EXPANSION: u64 = 100;

/// A decompressing reader that fails once it has given `limit` bytes.
struct Bounded<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a file of exactly the limit from a bomb.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!(
                    "decompresses to more than {} bytes ({MAX_EXPANSION} times its size); \
                     the rest is not read (decompress it first if it is meant)",
                    self.limit
                ))),
            };
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buf[..room])?;
        self.left -= read as u64;
        Ok(read)
    }
}

/// Classifies a file by its name, or `None` for a kind we do not read.
fn classify(path: &Path) -> Option<(SourceKind, bool)> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let (name, gzip) = match name.strip_suffix(".gz") {
        Some(inner) => (inner.to_owned(), true),
        None => (name, false),
    };
    let extension = name.rsplit_once('.')?.1;
    let kind = match extension {
        "txt" | "md" => SourceKind::Text,
        "jsonl" | "ndjson" | "json" => SourceKind::Json,
        #[cfg(feature = "feeds")]
        "rss" | "atom" | "xml" => SourceKind::Feed,
        // Read by seeking in the file: not compressed as a whole.
        #[cfg(feature = "parquet")]
        "parquet" if !gzip => SourceKind::Parquet,
        _ => return None,
    };
    Some((kind, gzip))
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// Whether a path names a Parquet file (`.parquet`, in any case): what
/// the `parquet` feature reads, and where `dedup` writes Parquet.
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Why a file of this name is not read.
fn not_read(path: &Path) -> String {
    if is_parquet(path) && !cfg!(feature = "parquet") {
        "a Parquet file: this build reads them with the `parquet` feature \
         (cargo install --path . --features serve,parquet)"
            .into()
    } else {
        format!("not a kind of file this tool reads (expected {})", kinds())
    }
}

/// The kinds of file this build reads, for messages.
fn kinds() -> String {
    let mut kinds = vec![".txt", ".md", ".jsonl", ".ndjson", ".json"];
    if cfg!(feature = "feeds") {
        kinds.extend([".rss", ".atom", ".xml"]);
    }
    let mut said = format!("{}, or those with .gz", kinds.join(", "));
    if cfg!(feature = "parquet") {
        said.push_str(", and .parquet");
    }
    said
}

/// Expands command-line paths into sources, in a deterministic order.
pub fn expand(
    paths: &[PathBuf],
    problems: &mut Vec<InputProblem>,
    notes: &mut Vec<String>,
) -> Vec<Source> {
    let mut sources = Vec::new();
    let mut visited = AHashSet::new();
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(Source {
                path: path.clone(),
                kind: SourceKind::Stdin,
                gzip: false,
            });
            continue;
        }
        match fs::metadata(path) {
            Err(err) => problems.push(InputProblem::file(
                path.display().to_string(),
                super::read_failed(err),
            )),
            Ok(meta) if meta.is_dir() => {
                let mut walker = Walker {
                    sources: &mut sources,
                    problems,
                    notes,
                    visited: &mut visited,
                };
                walker.walk(path, &meta);
            }
            // A named path is read whatever it is: `<(zcat x.jsonl.gz)`
            // is a pipe.
            Ok(_) => match classify(path) {
                Some((kind, gzip)) => sources.push(Source {
                    path: path.clone(),
                    kind,
                    gzip,
                }),
                None => problems.push(InputProblem::file(
                    path.display().to_string(),
                    not_read(path),
                )),
            },
        }
    }
    sources
}

/// A folder walk: its sources, problems and notes, and the folders read
/// so far.
struct Walker<'a> {
    sources: &'a mut Vec<Source>,
    problems: &'a mut Vec<InputProblem>,
    notes: &'a mut Vec<String>,
    /// Folders read, by device and inode: a link back into a folder
    /// already read (`ln -s . d/up`) is not read again.
    visited: &'a mut AHashSet<FolderKey>,
}

/// What identifies a folder however it is reached.
#[cfg(unix)]
type FolderKey = (u64, u64);
#[cfg(not(unix))]
type FolderKey = PathBuf;

#[cfg(unix)]
fn folder_key(_: &Path, meta: &fs::Metadata) -> Option<FolderKey> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn folder_key(path: &Path, _: &fs::Metadata) -> Option<FolderKey> {
    fs::canonicalize(path).ok()
}

impl Walker<'_> {
    fn walk(&mut self, dir: &Path, meta: &fs::Metadata) {
        if let Some(key) = folder_key(dir, meta)
            && !self.visited.insert(key)
        {
            self.notes.push(format!(
                "{}: a folder already read (a link back into it), skipped",
                dir.display()
            ));
            return;
        }
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) => {
                self.problems.push(InputProblem::file(
                    dir.display().to_string(),
                    format!("cannot read folder: {err}"),
                ));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if is_hidden(&path) {
                self.notes
                    .push(format!("{}: hidden, skipped", path.display()));
                continue;
            }
            // Follows links, so a linked folder or file is read like any other.
            match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.walk(&path, &meta),
                // A pipe, socket or device in a folder would block the
                // read or never end.
                Ok(meta) if !meta.is_file() => self.notes.push(format!(
                    "{}: not a regular file (a pipe, socket or device), skipped",
                    path.display()
                )),
                Ok(_) => match classify(&path) {
                    Some((kind, gzip)) => self.sources.push(Source { path, kind, gzip }),
                    None => {
                        self.notes
                            .push(format!("{}: {}, skipped", path.display(), not_read(&path)))
                    }
                },
                Err(err) => self.problems.push(InputProblem::file(
                    path.display().to_string(),
                    super::read_failed(err),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_extension() {
        assert_eq!(
            classify(Path::new("a/b.txt")),
            Some((SourceKind::Text, false))
        );
        assert_eq!(classify(Path::new("b.MD")), Some((SourceKind::Text, false)));
        assert_eq!(
            classify(Path::new("c.jsonl.gz")),
            Some((SourceKind::Json, true))
        );
        assert_eq!(classify(Path::new("c.png")), None);
        assert_eq!(classify(Path::new("README")), None);
    }

    #[test]
    fn stems_drop_kind_extensions() {
        let source = |p: &str| Source {
            path: PathBuf::from(p),
            kind: SourceKind::Text,
            gzip: p.ends_with(".gz"),
        };
        assert_eq!(source("dir/000_abc.txt").stem(), "000_abc");
        assert_eq!(source("dir/a.b.txt.gz").stem(), "a.b");
    }
}
