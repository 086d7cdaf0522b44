//! The `story-cluster` command: parse the command line, run the subcommand,
//! map the outcome to an exit code (0 success, 1 bad input, 2 usage).

mod cli;
mod cmd;

use clap::Parser;
use story_cluster::error::EXIT_OK;

fn main() {
    if let Some(message) = cli::missing_feature(std::env::args_os().nth(1)) {
        story_cluster::error::note(format_args!("story-cluster: error: {message}"));
        std::process::exit(story_cluster::error::EXIT_USAGE);
    }
    let args = cli::Cli::parse();
    let code = match cmd::dispatch(args) {
        Ok(code) => code,
        Err(err) => {
            story_cluster::error::note(format_args!("story-cluster: error: {err}"));
            err.exit_code()
        }
    };
    if code != EXIT_OK {
        std::process::exit(code);
    }
}
