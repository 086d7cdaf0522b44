//! Errors: problems with single inputs, which are reported and skipped, and
//! failures that stop a command, each mapped to an exit code.

use serde::Serialize;
use std::fmt;

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code when some input was bad (the rest was still processed).
pub const EXIT_BAD_INPUT: i32 = 1;
/// Exit code for a usage error.
pub const EXIT_USAGE: i32 = 2;

/// The exit code of a command that completed: 0, or 1 when some input was
/// bad (and skipped).
pub fn exit_code(any_bad_input: bool) -> i32 {
    if any_bad_input {
        EXIT_BAD_INPUT
    } else {
        EXIT_OK
    }
}

/// One bad input: a file or a line that could not become a document.
/// Every other input is still processed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputProblem {
    /// The file (or `-` for standard input).
    pub path: String,
    /// 1-based line number, where the problem is on one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
}

impl InputProblem {
    /// A problem with a whole file.
    pub fn file(path: impl Into<String>, message: impl Into<String>) -> Self {
        InputProblem {
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    /// A problem with one line of a file.
    pub fn line(path: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        InputProblem {
            path: path.into(),
            line: Some(line),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Writes one line to stderr. A closed or full stderr (`2>&1 >/dev/null |
/// head -1`) loses the line, never the run: `eprintln!` would panic.
pub fn note(line: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A failure that stops a command.
#[derive(Debug)]
pub enum Error {
    /// The command line asks for something impossible (exit 2).
    Usage(String),
    /// The input as a whole cannot be used, e.g. it holds no document (exit 1).
    Input(String),
    /// Writing the output failed (exit 1).
    Io(std::io::Error),
    /// The persistent index failed: cannot open, locked too long, corrupt
    /// (exit 1).
    Index(String),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Input(_) | Error::Io(_) | Error::Index(_) => EXIT_BAD_INPUT,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Input(message) => f.write_str(message),
            Error::Index(message) => write!(f, "index: {message}"),
            Error::Io(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Io(err)
    }
}
