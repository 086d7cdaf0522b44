//! The HTTP service over the index (feature `serve`): axum routes on a
//! hyper connection loop, JSON in and out, built to face the internet.
//!
//! | route | does | needs the token |
//! | --- | --- | --- |
//! | `POST /v1/check` | decides on one item (an object) or a batch (an array) without storing | with `--guard-reads` |
//! | `POST /v1/items` | decides and stores, copies included (as `index add`) | yes |
//! | `GET /v1/items/{id}` | a stored item and its current story | with `--guard-reads` |
//! | `GET /v1/stories` | every story, largest first | with `--guard-reads` |
//! | `GET /v1/stories/{id}` | one story with its members and sub-stories | with `--guard-reads` |
//! | `GET /healthz` | liveness and the item count | never |
//!
//! Every error is a JSON body `{"error": "..."}`: 400 malformed JSON or an
//! item without `id` or `text`, 401 a missing or wrong token, 403 an
//! `Origin` not allowed (a browser page on another site), 404 an unknown id
//! or route, 405 a wrong method, 408 a body too slow to arrive, 413 a body
//! or batch over its limit, 415 a body that is not `application/json`, 503
//! when the connection cap is reached.
//!
//! Requests never wait on one another: checks and reads run on handles of
//! their own (one SQLite connection each, one shared in-memory view), the
//! single writer behind its own lock, and an upkeep thread keeps the view
//! current and settles the index (the batch pipeline, see
//! [`crate::index`]) every N stored items or T seconds. Headers must
//! arrive within a timeout (an idle keep-alive connection too), bodies
//! within another; connections are capped; on SIGTERM or Ctrl-C the
//! service stops taking connections, lets requests in flight finish for a
//! grace period, and exits.

use crate::corpus::{Document, Origin, document_from_value};
use crate::error::Error;
use crate::index::{Index, IndexOptions, Opener};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use serde::Serialize;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub addr: String,
    /// Create the index if it does not exist.
    pub create: bool,
    /// The bearer token writes need (and reads, with `guard_reads`). A
    /// non-loopback address is refused without one.
    pub token: Option<String>,
    /// Whether checks and reads need the token too.
    pub guard_reads: bool,
    /// `Origin` values allowed (browser pages that may call the service);
    /// a request with any other `Origin` is refused.
    pub allowed_origins: Vec<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Most items in one request.
    pub max_items: usize,
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time for a request's headers to arrive (and for an idle
    /// keep-alive connection to send its next request).
    pub header_timeout: Duration,
    /// Time for a request's body to arrive.
    pub body_timeout: Duration,
    /// Settle after this many stored items (0: never by count).
    pub settle_every: usize,
    /// Settle this often when items were stored since the last settle
    /// (zero: never by time).
    pub settle_interval: Duration,
    /// How long requests in flight may finish after a stop signal.
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            addr: "127.0.0.1:8080".into(),
            create: false,
            token: None,
            guard_reads: false,
            allowed_origins: Vec::new(),
            max_body_bytes: 16 * 1024 * 1024,
            max_items: 1000,
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            settle_every: 200,
            settle_interval: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// What every request handler shares.
#[derive(Clone)]
struct App {
    /// The one writer.
    writer: Arc<Mutex<Index>>,
    /// Idle reader handles; a request takes one or opens a new one.
    readers: Arc<Mutex<Vec<Index>>>,
    opener: Opener,
    options: Arc<ServeOptions>,
    /// Items stored since the last settle, and the upkeep thread's bell.
    stored_since_settle: Arc<AtomicUsize>,
    upkeep: mpsc::SyncSender<()>,
}

/// An error answer: a status and `{"error": message}`.
struct ApiError {
    status: StatusCode,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, axum::Json(json!({ "error": self.message }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        message: message.into(),
    }
}

/// Items of a request body: one object, or an array of at most
/// `max_items` of them. Also says whether the body was an array, so the
/// answer takes the same shape.
fn parse_items(body: &[u8], max_items: usize) -> Result<(Vec<Document>, bool), ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| error(StatusCode::BAD_REQUEST, format!("malformed JSON: {err}")))?;
    let (values, batch) = match value {
        Value::Array(values) => (values, true),
        value @ Value::Object(_) => (vec![value], false),
        _ => {
            let message = "expected an item (object) or a batch (array of objects)";
            return Err(error(StatusCode::BAD_REQUEST, message));
        }
    };
    if values.len() > max_items {
        let message = format!(
            "a batch of {} items is over the limit of {max_items}",
            values.len()
        );
        return Err(error(StatusCode::PAYLOAD_TOO_LARGE, message));
    }
    let mut docs = Vec::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        let at = if batch {
            format!("item {index}")
        } else {
            "item".to_owned()
        };
        let doc = document_from_value(value, Origin::whole(at.as_str())).map_err(|message| {
            let message = message.trim_end_matches("; skipped");
            error(StatusCode::BAD_REQUEST, format!("{at}: {message}"))
        })?;
        docs.push(doc);
    }
    let mut ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
        let message = format!("duplicate id '{}' in one request", pair[0]);
        return Err(error(StatusCode::BAD_REQUEST, message));
    }
    Ok((docs, batch))
}

/// Reads a JSON request body within the size limit and the body timeout.
async fn json_body(app: &App, request: Request) -> Result<Bytes, ApiError> {
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON sent as Content-Type: application/json",
        ));
    }
    let limit = app.options.max_body_bytes;
    let read = tokio::time::timeout(app.options.body_timeout, axum::body::to_bytes(body, limit));
    match read.await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body over the limit of {limit} bytes, or cut short"),
        )),
        Err(_) => Err(error(
            StatusCode::REQUEST_TIMEOUT,
            "the request body did not arrive in time",
        )),
    }
}

/// Runs `work` on a reader handle from a blocking thread.
async fn with_reader<T: Send + 'static>(
    app: &App,
    work: impl FnOnce(&Index) -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    let app = app.clone();
    blocking(move || {
        let idle = app
            .readers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let reader = match idle {
            Some(reader) => reader,
            None => app.opener.open_reader()?,
        };
        let result = work(&reader);
        app.readers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(reader);
        result
    })
    .await
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(error(StatusCode::SERVICE_UNAVAILABLE, err.to_string())),
        Err(err) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, err.to_string())),
    }
}

/// The decisions, shaped like the request (one object or an array).
fn shaped<T: Serialize>(mut values: Vec<T>, batch: bool) -> Response {
    if batch {
        axum::Json(values).into_response()
    } else {
        axum::Json(values.pop()).into_response()
    }
}

async fn check(State(app): State<App>, request: Request) -> Result<Response, ApiError> {
    let body = json_body(&app, request).await?;
    let (docs, batch) = parse_items(&body, app.options.max_items)?;
    let decisions = with_reader(&app, move |index| index.check(&docs)).await?;
    Ok(shaped(decisions, batch))
}

async fn add_items(State(app): State<App>, request: Request) -> Result<Response, ApiError> {
    let body = json_body(&app, request).await?;
    let (docs, batch) = parse_items(&body, app.options.max_items)?;
    let writer = Arc::clone(&app.writer);
    let decisions = blocking(move || {
        writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .add(&docs, true)
    })
    .await?;
    let stored = decisions
        .iter()
        .filter(|d| d.status != crate::index::Status::Exists)
        .count();
    let since = app.stored_since_settle.fetch_add(stored, Ordering::Relaxed) + stored;
    if app.options.settle_every > 0 && since >= app.options.settle_every {
        // A full bell means a settle is already due.
        let _ = app.upkeep.try_send(());
    }
    Ok(shaped(decisions, batch))
}

/// A value found by id, or 404 naming what was not found.
fn found<T: Serialize>(value: Option<T>, what: &str, id: &str) -> Result<Response, ApiError> {
    match value {
        Some(value) => Ok(axum::Json(value).into_response()),
        None => Err(error(StatusCode::NOT_FOUND, format!("no {what} '{id}'"))),
    }
}

async fn get_item(
    State(app): State<App>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let wanted = id.clone();
    let item = with_reader(&app, move |index| index.item(&wanted)).await?;
    found(item, "item", &id)
}

async fn list_stories(State(app): State<App>) -> Result<Response, ApiError> {
    let stories = with_reader(&app, |index| index.stories()).await?;
    Ok(axum::Json(stories).into_response())
}

async fn get_story(
    State(app): State<App>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let wanted = id.clone();
    let story = with_reader(&app, move |index| index.story(&wanted)).await?;
    found(story, "story", &id)
}

async fn healthz(State(app): State<App>) -> Response {
    axum::Json(json!({ "status": "ok", "items": app.opener.items() })).into_response()
}

async fn not_found() -> ApiError {
    error(StatusCode::NOT_FOUND, "no such route")
}

async fn method_not_allowed(method: Method) -> ApiError {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on this route"),
    )
}

/// Byte-wise comparison that takes as long whatever the first difference.
fn same_token(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Refuses what a request may not do before any handler runs: a foreign
/// `Origin`, a missing or wrong token, a body declared over the limit.
fn admit(
    options: &ServeOptions,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let allowed = origin
            .to_str()
            .is_ok_and(|o| options.allowed_origins.iter().any(|a| a == o));
        if !allowed {
            return Err(error(
                StatusCode::FORBIDDEN,
                "requests from this Origin are not allowed (see --allow-origin)",
            ));
        }
    }
    let writes = path == "/v1/items" && method == Method::POST;
    let guarded = path != "/healthz" && (writes || options.guard_reads);
    if guarded && let Some(token) = &options.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same_token(given.trim().as_bytes(), token.as_bytes()) {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "this route needs Authorization: Bearer <token>",
            ));
        }
    }
    // A declared length over the limit is refused before the body is read,
    // so a client does not send megabytes only to be refused.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if let Some(length) = declared.filter(|&l| l > options.max_body_bytes as u64) {
        return Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "request body of {length} bytes is over the limit of {}",
                options.max_body_bytes
            ),
        ));
    }
    Ok(())
}

async fn gate(State(app): State<App>, request: Request, next: Next) -> Response {
    match admit(
        &app.options,
        request.method(),
        request.uri().path(),
        request.headers(),
    ) {
        Ok(()) => json_errors(next.run(request).await).await,
        Err(refused) => refused.into_response(),
    }
}

/// Gives every error a JSON body, whatever produced it (an extractor's
/// rejection is plain text).
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    error(status, message).into_response()
}

fn router(app: App) -> Router {
    Router::new()
        .route("/v1/check", post(check))
        .route("/v1/items", post(add_items))
        .route("/v1/items/{id}", get(get_item))
        .route("/v1/stories", get(list_stories))
        .route("/v1/stories/{id}", get(get_story))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

/// Puts the calling thread in the background (Linux schedules threads one
/// by one): SCHED_IDLE, so that it runs only on a core no request wants
/// and a request's thread takes the core back at once; a nice value of 10
/// where that policy is refused.
fn in_background() {
    #[cfg(target_os = "linux")]
    // SAFETY: sched_setscheduler and setpriority on the calling thread
    // (pid 0) with valid arguments only change how this thread is
    // scheduled.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, 0, 10);
        }
    }
}

/// Keeps the shared view current (another process may write) and settles
/// the index when rung or every `settle_interval` with items stored since
/// the last settle; stops when the service drops its bell. Its work runs at
/// low priority on one thread, so checks keep the cores they need while
/// the batch pipeline runs.
fn upkeep(
    mut index: Index,
    bell: mpsc::Receiver<()>,
    stored: Arc<AtomicUsize>,
    options: &ServeOptions,
) {
    const FOLLOW_EVERY: Duration = Duration::from_secs(1);
    in_background();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "settle".into())
        .start_handler(|_| in_background())
        .build();
    let mut since_settle = Duration::ZERO;
    loop {
        let rung = match bell.recv_timeout(FOLLOW_EVERY) {
            Ok(()) => true,
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        since_settle += FOLLOW_EVERY;
        let due = !options.settle_interval.is_zero() && since_settle >= options.settle_interval;
        if (rung || due) && stored.load(Ordering::Relaxed) > 0 {
            stored.store(0, Ordering::Relaxed);
            since_settle = Duration::ZERO;
            let settled = match &pool {
                Ok(pool) => {
                    let (back, settled) = pool.install(move || {
                        let settled = index.settle();
                        (index, settled)
                    });
                    index = back;
                    settled
                }
                Err(_) => index.settle(),
            };
            match settled {
                Ok(summary) => crate::error::note(format_args!(
                    "story-cluster: settled {} items into {} stories ({} moved)",
                    summary.items, summary.stories, summary.moved
                )),
                Err(err) => crate::error::note(format_args!("story-cluster: settle failed: {err}")),
            }
        } else if let Err(err) = index.follow() {
            crate::error::note(format_args!(
                "story-cluster: cannot reload the index: {err}"
            ));
        }
    }
}

/// Opens the index and serves it until SIGTERM or Ctrl-C. Prints
/// `listening on ADDR` on stderr once the socket is bound.
pub fn serve(db: &Path, options: ServeOptions) -> Result<(), Error> {
    let writer = if options.create {
        Index::open_or_create(db, IndexOptions::default())?
    } else {
        Index::open(db, IndexOptions::default())?
    };
    let opener = writer.opener();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Io)?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind(&options.addr));
    let listener = listener
        .map_err(|err| Error::Usage(format!("cannot listen on {}: {err}", options.addr)))?;
    let local = listener.local_addr().map_err(Error::Io)?;
    if !local.ip().is_loopback() && options.token.is_none() {
        return Err(Error::Usage(format!(
            "{local} is reachable from other machines: give a token (STORY_CLUSTER_TOKEN or --token-file) to serve it"
        )));
    }
    let (bell, rung) = mpsc::sync_channel(1);
    let stored_since_settle = Arc::new(AtomicUsize::new(0));
    let options = Arc::new(options);
    let upkeep_thread = {
        let index = opener.open()?;
        let stored = Arc::clone(&stored_since_settle);
        let options = Arc::clone(&options);
        std::thread::spawn(move || upkeep(index, rung, stored, &options))
    };
    let app = App {
        writer: Arc::new(Mutex::new(writer)),
        readers: Arc::new(Mutex::new(Vec::new())),
        opener,
        options: Arc::clone(&options),
        stored_since_settle,
        upkeep: bell,
    };
    crate::error::note(format_args!("story-cluster: listening on {local}"));
    let served = runtime.block_on(accept_loop(listener, router(app), &options));
    // Requests in flight had their grace period; blocking work still
    // running (a long batch) is not waited for.
    runtime.shutdown_timeout(Duration::from_millis(100));
    drop(upkeep_thread);
    served
}

/// Accepts connections until a stop signal, each served by hyper with the
/// header timeout, at most `max_connections` at once.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: Router,
    options: &ServeOptions,
) -> Result<(), Error> {
    let open = Arc::new(tokio::sync::Semaphore::new(options.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout);
    let stop = shutdown();
    tokio::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors or a reset before accept: keep going.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            tokio::spawn(refuse_busy(stream));
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = tokio::time::sleep(options.shutdown_grace) => {},
    }
    Ok(())
}

/// Answers 503 to a connection over the cap, and closes it.
async fn refuse_busy(mut stream: tokio::net::TcpStream) {
    let body = r#"{"error":"too many connections; try again"}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(answer.as_bytes())).await;
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = interrupt => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
