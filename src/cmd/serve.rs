//! `story-cluster serve`: the index over HTTP (see `story_cluster::serve`
//! for the routes).

use super::index::DbArgs;
use clap::Args as ClapArgs;
use story_cluster::error::{EXIT_OK, Error};
use story_cluster::serve::{ServeOptions, serve};

/// Serve the index over HTTP: POST /v1/check, POST /v1/items,
/// GET /v1/items/{id}, GET /v1/stories, GET /v1/stories/{id}, GET /healthz.
///
/// JSON in and out; one item is an object, a batch an array. Stops on
/// Ctrl-C or SIGTERM.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Exit codes: 0 stopped cleanly, 1 index error, 2 usage error (such as an address in use)."
)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    addr: String,
    /// Create the index if it does not exist (without this, a missing file
    /// is an error: a mistyped path would serve an empty index).
    #[arg(long)]
    create: bool,
    /// Largest request body accepted, in bytes (larger ones get 413).
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    max_body_bytes: usize,
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    let options = ServeOptions {
        addr: args.addr,
        max_body_bytes: args.max_body_bytes,
        create: args.create,
    };
    serve(&args.db.db, &options)?;
    Ok(EXIT_OK)
}
