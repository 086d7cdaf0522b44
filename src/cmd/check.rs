//! `story-cluster check`: is each item a near-duplicate of something in the
//! index, and which story would it join? Nothing is stored.

use super::common::InputArgs;
use super::index::{DbArgs, read_in_arrival_order, write_lines};
use clap::Args as ClapArgs;
use story_cluster::error::{Error, exit_code};

/// Decide on items against the index without storing them.
///
/// Prints one JSON line per item: id, status (new, duplicate, or exists
/// when the id is already indexed), duplicate_of, jaccard, story (null
/// when no story is close enough) and story_similarity. Items are checked
/// against the index only, not against each other.
#[derive(Debug, ClapArgs)]
#[command(after_help = "Exit codes: 0 success, 1 bad input or index error, 2 usage error.")]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    input: InputArgs,
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    let index = args.db.open()?;
    let (docs, bad_input) = read_in_arrival_order(&args.input)?;
    let decisions = index.check(&docs)?;
    write_lines(&mut std::io::stdout().lock(), &decisions)?;
    Ok(exit_code(bad_input))
}
