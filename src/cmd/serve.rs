//! `story-cluster serve`: the index over HTTP (see `story_cluster::serve`
//! for the routes and what they refuse).

use super::index::DbArgs;
use clap::Args as ClapArgs;
use std::path::PathBuf;
use std::time::Duration;
use story_cluster::error::{EXIT_OK, Error};
use story_cluster::serve::{ServeOptions, serve};

/// The environment variable that may hold the token.
const TOKEN_VARIABLE: &str = "STORY_CLUSTER_TOKEN";

/// Serve the index over HTTP: POST /v1/check, POST /v1/items,
/// GET /v1/items/{id}, GET /v1/stories, GET /v1/stories/{id}, GET /healthz.
///
/// JSON in and out; one item is an object, a batch an array. Storing
/// (POST /v1/items) needs `Authorization: Bearer TOKEN` when a token is set
/// (STORY_CLUSTER_TOKEN or --token-file); an address other than loopback
/// is refused without one. Requests from a browser page (an Origin header)
/// are refused unless --allow-origin names it. The index is settled (the
/// batch pipeline of `run` over the stored items) every --settle-every
/// stored items and every --settle-interval seconds with items stored
/// since. Stops on Ctrl-C or SIGTERM.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Exit codes: 0 stopped cleanly, 1 index error (such as a missing index without --create), 2 usage error (an address in use, a public address without a token)."
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
    /// A file holding the bearer token (else STORY_CLUSTER_TOKEN).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Checks and reads need the token too (healthz never does).
    #[arg(long)]
    guard_reads: bool,
    /// An Origin (e.g. https://cms.example.com) whose pages may call the
    /// service; repeat for several.
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// Largest request body accepted, in bytes (larger ones get 413).
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    max_body_bytes: usize,
    /// Most items in one request (more get 413).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_items: usize,
    /// Most connections open at once (more get 503 and are closed).
    #[arg(long, default_value_t = 512, value_name = "N")]
    max_connections: usize,
    /// Seconds for a request's headers to arrive, and for an idle
    /// connection to send its next request.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    header_timeout: u64,
    /// Seconds for a request's body to arrive (408 after).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    body_timeout: u64,
    /// Settle after this many stored items (0: not by count).
    #[arg(long, default_value_t = 200, value_name = "N")]
    settle_every: usize,
    /// Settle this often, in seconds, when items were stored since the
    /// last settle (0: not by time).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    settle_interval: u64,
}

/// The token: from the file, else the environment; never empty.
fn token(file: Option<&PathBuf>) -> Result<Option<String>, Error> {
    let token = match file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|err| Error::Usage(format!("{}: {err}", path.display())))?,
        ),
        None => std::env::var(TOKEN_VARIABLE).ok(),
    };
    match token.map(|t| t.trim().to_owned()) {
        Some(t) if t.is_empty() => Err(Error::Usage("the token is empty".into())),
        token => Ok(token),
    }
}

/// Runs the command; returns the exit code.
pub fn run(args: Args) -> Result<i32, Error> {
    let options = ServeOptions {
        addr: args.addr,
        create: args.create,
        token: token(args.token_file.as_ref())?,
        guard_reads: args.guard_reads,
        allowed_origins: args.allow_origin,
        max_body_bytes: args.max_body_bytes,
        max_items: args.max_items,
        max_connections: args.max_connections.max(1),
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        body_timeout: Duration::from_secs(args.body_timeout.max(1)),
        settle_every: args.settle_every,
        settle_interval: Duration::from_secs(args.settle_interval),
        ..ServeOptions::default()
    };
    if options.guard_reads && options.token.is_none() {
        return Err(Error::Usage(
            "--guard-reads needs a token (STORY_CLUSTER_TOKEN or --token-file)".into(),
        ));
    }
    serve(&args.db.db, options)?;
    Ok(EXIT_OK)
}
