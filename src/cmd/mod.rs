//! Subcommands, one per file.

#[cfg(feature = "index")]
pub mod check;
pub mod common;
pub mod dedup;
pub mod eval;
pub mod explain;
#[cfg(feature = "index")]
pub mod index;
pub mod output;
#[cfg(feature = "index")]
pub mod publish;
pub mod run;
#[cfg(feature = "serve")]
pub mod serve;
#[cfg(feature = "parquet")]
pub mod stage;

use crate::cli::{Cli, Command};
use story_cluster::error::Error;

/// Runs the chosen subcommand; returns the exit code.
pub fn dispatch(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Dedup(args) => dedup::run(args),
        #[cfg(feature = "index")]
        Command::Index(args) => index::run(args),
        #[cfg(feature = "index")]
        Command::Check(args) => check::run(args),
        #[cfg(feature = "index")]
        Command::Publish(args) => publish::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
        #[cfg(feature = "parquet")]
        Command::Stage(args) => stage::run(args),
    }
}
