//! The HTTP service over the index (feature `serve`): axum on tokio, JSON in
//! and out.
//!
//! | route | does |
//! | --- | --- |
//! | `POST /v1/check` | decides on one item (an object) or a batch (an array) without storing |
//! | `POST /v1/items` | decides and stores, copies included (as `index add`) |
//! | `GET /v1/items/{id}` | a stored item |
//! | `GET /v1/stories` | every story, largest first |
//! | `GET /v1/stories/{id}` | one story with its members |
//! | `GET /healthz` | liveness and the item count |
//!
//! Bad input is a 4xx with `{"error": "..."}`: 400 for malformed JSON or an
//! item without `id` or `text`, 404 for an unknown id, 413 for a body over
//! the limit. The index is used from blocking threads, one request at a
//! time (SQLite has one writer); each request is a few milliseconds.

use crate::corpus::{Document, document_from_value};
use crate::error::Error;
use crate::index::{Index, IndexOptions};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub addr: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Create the index if it does not exist.
    pub create: bool,
}

type Shared = Arc<Mutex<Index>>;

/// An error answer: a status and `{"error": message}`.
struct ApiError {
    status: StatusCode,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(json!({ "error": self.message }))).into_response()
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        message: message.into(),
    }
}

/// Items of a request body: one object, or an array of them. Also says
/// whether the body was an array, so the answer takes the same shape.
fn parse_items(body: &[u8]) -> Result<(Vec<Document>, bool), ApiError> {
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
    let mut docs = Vec::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        let at = if batch {
            format!("item {index}")
        } else {
            "item".to_owned()
        };
        let doc = document_from_value(value, at.clone()).map_err(|message| {
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

/// Runs `work` on the index from a blocking thread.
async fn with_index<T: Send + 'static>(
    index: Shared,
    work: impl FnOnce(&mut Index) -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    let result = tokio::task::spawn_blocking(move || {
        let mut index = index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut index)
    })
    .await;
    match result {
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

async fn check(State(index): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let (docs, batch) = parse_items(&body)?;
    let decisions = with_index(index, move |index| index.check(&docs)).await?;
    Ok(shaped(decisions, batch))
}

async fn add_items(State(index): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let (docs, batch) = parse_items(&body)?;
    let decisions = with_index(index, move |index| index.add(&docs, true)).await?;
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
    State(index): State<Shared>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let wanted = id.clone();
    let item = with_index(index, move |index| index.item(&wanted)).await?;
    found(item, "item", &id)
}

async fn list_stories(State(index): State<Shared>) -> Result<Response, ApiError> {
    let stories = with_index(index, |index| index.stories()).await?;
    Ok(axum::Json(stories).into_response())
}

async fn get_story(
    State(index): State<Shared>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let wanted = id.clone();
    let story = with_index(index, move |index| index.story(&wanted)).await?;
    found(story, "story", &id)
}

async fn healthz(State(index): State<Shared>) -> Result<Response, ApiError> {
    let stats = with_index(index, |index| index.stats()).await?;
    Ok(axum::Json(json!({ "status": "ok", "items": stats.items })).into_response())
}

async fn not_found() -> ApiError {
    error(StatusCode::NOT_FOUND, "no such route")
}

/// Answers 413 from a declared `Content-Length` over the limit, before the
/// body is read, so a client does not send megabytes only to be refused.
/// Bodies without a declared length are still capped by `DefaultBodyLimit`.
async fn refuse_declared_oversize(
    State(max_body_bytes): State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    match declared {
        Some(length) if length > max_body_bytes as u64 => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body of {length} bytes is over the limit of {max_body_bytes}"),
        )
        .into_response(),
        _ => next.run(request).await,
    }
}

/// The routes over an open index.
pub fn router(index: Index, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/v1/check", post(check))
        .route("/v1/items", post(add_items))
        .route("/v1/items/{id}", get(get_item))
        .route("/v1/stories", get(list_stories))
        .route("/v1/stories/{id}", get(get_story))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            max_body_bytes,
            refuse_declared_oversize,
        ))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(Arc::new(Mutex::new(index)))
}

/// Opens the index and serves it until interrupted (Ctrl-C or SIGTERM).
/// Prints `listening on ADDR` on stderr once the socket is bound.
pub fn serve(db: &Path, options: &ServeOptions) -> Result<(), Error> {
    let index = if options.create {
        Index::open_or_create(db, IndexOptions::default())?
    } else {
        Index::open(db, IndexOptions::default())?
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Io)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&options.addr)
            .await
            .map_err(|err| Error::Usage(format!("cannot listen on {}: {err}", options.addr)))?;
        let local = listener.local_addr().map_err(Error::Io)?;
        eprintln!("story-cluster: listening on {local}");
        axum::serve(listener, router(index, options.max_body_bytes))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(Error::Io)
    })
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
