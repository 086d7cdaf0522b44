//! Where reports go: standard output or a file, with a closed pipe treated
//! as the reader's choice rather than an error.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use story_cluster::error::Error;

/// Writes with `write` to `path`, or to standard output when it is `None`.
pub fn write_to(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    let mut out: Box<dyn Write> = match path {
        Some(path) => Box::new(BufWriter::new(File::create(path).map_err(|err| {
            Error::Input(format!("{}: cannot write: {err}", path.display()))
        })?)),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    finished(write(&mut out).and_then(|()| out.flush()))
}

/// The outcome of writing output: a closed pipe (`| head`) is the reader's
/// choice, not an error.
pub fn finished(written: io::Result<()>) -> Result<(), Error> {
    match written {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(Error::Io(err)),
        _ => Ok(()),
    }
}
