//! The `story-cluster` command: parse the command line, run the subcommand,
//! map the outcome to an exit code (0 success, 1 bad input, 2 usage).

mod cli;
mod cmd;

use clap::Parser;
use story_cluster::error::EXIT_OK;

fn main() {
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
