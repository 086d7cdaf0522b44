//! Subcommands, one per file.

pub mod common;
pub mod dedup;
pub mod eval;
pub mod output;
pub mod run;

use crate::cli::{Cli, Command};
use story_cluster::error::Error;

/// Runs the chosen subcommand; returns the exit code.
pub fn dispatch(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Dedup(args) => dedup::run(args),
    }
}
