//! Checks against a persistent index of 100,000 items: throughput and
//! p50/p99 latency through the library, the CLI and the HTTP service (a
//! bounded load generator on loopback). Not criterion: latency percentiles
//! under concurrent load are the point. See README.md, "The index".
//!
//!   cargo bench --features serve --bench index
//!
//! STORY_CLUSTER_INDEX_ITEMS sets the index size (default 100000). The index
//! is generated from the bundled fixtures (`story_cluster::synth`) and kept
//! in target/bench-index/ for the next run (building it takes a minute).

#[path = "../tests/common/server.rs"]
mod server;
#[path = "../tests/common/synthetic.rs"]
mod synthetic;

use server::{Server, client, post};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use story_cluster::corpus::Document;
use story_cluster::index::{Index, IndexOptions};

const BINARY: &str = env!("CARGO_BIN_EXE_story-cluster");
const CLIENTS: usize = 4;
const REQUESTS_PER_CLIENT: usize = 1000;

fn corpus(documents: usize, seed: u64) -> Vec<Document> {
    synthetic::generated_documents(documents, 0.1, seed)
}

/// The index of `items` generated items, built once and kept.
fn index_of(items: usize, dir: &Path) -> PathBuf {
    let db = dir.join(format!("index-{items}.db"));
    if db.exists() {
        return db;
    }
    let corpus_path = dir.join(format!("corpus-{items}.jsonl"));
    synthetic::write_jsonl(&corpus_path, &corpus(items, 1));
    let building = dir.join(format!("index-{items}.building.db"));
    let _ = std::fs::remove_file(&building);
    let start = Instant::now();
    let status = Command::new(BINARY)
        .args(["index", "add", "--batch", "1000", "--db"])
        .arg(&building)
        .arg(&corpus_path)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    eprintln!(
        "built the index of {items} items in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    std::fs::rename(&building, &db).unwrap();
    db
}

/// Probes: half copies of indexed items under new ids, half new articles.
fn probes(items: usize, count: usize) -> Vec<Document> {
    let indexed = corpus(items.min(count / 2), 1);
    let fresh = corpus(count / 2, 99);
    indexed
        .into_iter()
        .map(|mut d| {
            d.id = format!("copy-{}", d.id);
            d
        })
        .chain(fresh.into_iter().map(|mut d| {
            d.id = format!("fresh-{}", d.id);
            d
        }))
        .collect()
}

fn report(name: &str, mut latencies: Vec<Duration>, wall: Duration) {
    latencies.sort_unstable();
    let pick = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "{name:<44} {:>7} {:>10.0} {:>9.2} {:>9.2} {:>9.2}",
        latencies.len(),
        latencies.len() as f64 / wall.as_secs_f64(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let items: usize = std::env::var("STORY_CLUSTER_INDEX_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-index");
    std::fs::create_dir_all(&dir).unwrap();
    let db = index_of(items, &dir);
    let probes = probes(items, 2000);
    println!(
        "index of {items} items; {} probes (half copies, half new)",
        probes.len()
    );
    println!(
        "{:<44} {:>7} {:>10} {:>9} {:>9} {:>9}",
        "path", "checks", "checks/s", "p50 ms", "p99 ms", "max ms"
    );

    // The library, one check at a time.
    let index = Index::open(&db, IndexOptions::default()).unwrap();
    let start = Instant::now();
    let latencies: Vec<Duration> = probes
        .iter()
        .map(|p| {
            let t = Instant::now();
            index.check(std::slice::from_ref(p)).unwrap();
            t.elapsed()
        })
        .collect();
    report(
        "library: Index::check, one item",
        latencies,
        start.elapsed(),
    );
    drop(index);

    // The CLI: one process for all probes, and one process per item.
    let probe_file = dir.join("probes.jsonl");
    synthetic::write_jsonl(&probe_file, &probes);
    let start = Instant::now();
    let output = Command::new(BINARY)
        .args(["check", "--db"])
        .arg(&db)
        .arg(&probe_file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let wall = start.elapsed();
    let per_item = wall / probes.len() as u32;
    report(
        "CLI: one `check` of all probes (mean)",
        vec![per_item; probes.len()],
        wall,
    );
    let single = dir.join("probe.jsonl");
    let start = Instant::now();
    let latencies: Vec<Duration> = probes
        .iter()
        .take(50)
        .map(|p| {
            synthetic::write_jsonl(&single, std::slice::from_ref(p));
            let t = Instant::now();
            let status = Command::new(BINARY)
                .args(["check", "--db"])
                .arg(&db)
                .arg(&single)
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
            t.elapsed()
        })
        .collect();
    report(
        "CLI: one `check` process per item",
        latencies,
        start.elapsed(),
    );

    // The service, CLIENTS keep-alive connections at once.
    let server = Server::start(Path::new(BINARY), &db);
    let url = format!("{}/v1/check", server.base);
    let bodies: Vec<String> = probes
        .iter()
        .map(|d| serde_json::json!({"id": d.id, "title": d.title, "text": d.body}).to_string())
        .collect();
    let warm = client();
    for body in bodies.iter().take(50) {
        post(&warm, &url, body);
    }
    let start = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (url, bodies) = (&url, &bodies);
                scope.spawn(move || {
                    let agent = client();
                    (0..REQUESTS_PER_CLIENT)
                        .map(|i| {
                            let body = &bodies[(c * REQUESTS_PER_CLIENT + i) % bodies.len()];
                            let t = Instant::now();
                            let (status, _) = post(&agent, url, body);
                            assert_eq!(status, 200);
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    report(
        &format!("HTTP: POST /v1/check, {CLIENTS} clients"),
        latencies,
        start.elapsed(),
    );
}
