//! The persistent index: what a publisher feeding items one by one sees
//! (ECB+ dev in file order, provisional and settled B-cubed F1 against
//! `run`'s), and checks against an index of 100,000 items: throughput and
//! p50/p99 latency through the library, the CLI and the HTTP service (a
//! bounded load generator on loopback), alone and while a writer stores
//! items and a settle runs. Not criterion: scores over a feed and latency
//! percentiles under concurrent load are the point. See docs/performance.md.
//!
//!   cargo bench --features serve --bench index
//!
//! STORY_CLUSTER_INDEX_ITEMS sets the index size (default 100000). The index
//! is generated from the bundled fixtures (`story_cluster::synth`) and kept
//! in target/bench-index/ for the next run (building it takes minutes).

#[path = "../tests/common/server.rs"]
mod server;
#[path = "../tests/common/synthetic.rs"]
mod synthetic;

use server::{Server, client, post};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use story_cluster::corpus::{Document, ReadOptions, read_paths};
use story_cluster::index::{Index, IndexOptions};
use story_cluster::{Config, analyse};

const BINARY: &str = env!("CARGO_BIN_EXE_story-cluster");
const CLIENTS: usize = 4;
/// Checkers at once while a writer stores items and a settle runs.
const LOADED_CLIENTS: usize = 16;
const REQUESTS_PER_CLIENT: usize = 1000;

fn corpus(documents: usize, seed: u64) -> Vec<Document> {
    synthetic::generated_documents(documents, 0.1, seed)
}

/// The index of `items` generated items, built once and kept.
fn index_of(items: usize, dir: &Path) -> PathBuf {
    // Named by schema: an index of an older schema lacks the bodies a
    // settle reads.
    let db = dir.join(format!("index-{items}-v2.db"));
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

/// B-cubed F1 of the index's stories on the items stored so far.
fn scored(index: &Index, gold: &std::collections::HashMap<String, String>) -> f64 {
    let places = index.placements().unwrap();
    let (predicted, labels): (Vec<&str>, Vec<&str>) = places
        .iter()
        .filter_map(|p| Some((p.story.as_str(), gold.get(&p.id)?.as_str())))
        .unzip();
    story_cluster::eval::score(&predicted, &labels).bcubed_f1
}

/// ECB+ dev (the bundled fixture) fed in file order, 25 items at a time:
/// the mean over the feed of the B-cubed F1 a user sees after each batch,
/// provisional only and with a settle every 100 or 200 items (the
/// service's default), and the settled score against `run`'s.
fn feed_ecbplus(dir: &Path) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ecbplus-dev");
    let labels = std::fs::read_to_string(fixture.join("labels.tsv")).unwrap();
    let (gold, _) = story_cluster::eval::parse_labels(&labels);
    let corpus = read_paths(&[fixture.join("docs")], &ReadOptions::default());
    let mut docs = corpus.documents;
    docs.sort_by_key(|d| d.position);
    let batch_run = {
        let mut sorted = docs.clone();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        let analysis = analyse(sorted, &Config::default());
        let mut story = vec![String::new(); analysis.documents.len()];
        for (s, st) in analysis.stories.iter().enumerate() {
            for m in &st.members {
                story[m.doc as usize] = format!("S{s}");
            }
        }
        let (predicted, labels): (Vec<&str>, Vec<&str>) = analysis
            .documents
            .iter()
            .zip(&story)
            .filter_map(|(d, s)| Some((s.as_str(), gold.get(&d.id)?.as_str())))
            .unzip();
        story_cluster::eval::score(&predicted, &labels).bcubed_f1
    };
    println!(
        "ECB+ dev fed in file order, 25 items at a time ({} items; `run`: B-cubed F1 {batch_run:.4})",
        docs.len()
    );
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "settling", "mean F1", "min F1", "settled"
    );
    for every in [0usize, 100, 200] {
        let db = dir.join(format!("feed-{every}.db"));
        let _ = std::fs::remove_file(&db);
        let index = Index::open_or_create(&db, IndexOptions::default()).unwrap();
        let (mut scores, mut since) = (Vec::new(), 0);
        for chunk in docs.chunks(25) {
            index.add(chunk, true).unwrap();
            since += chunk.len();
            if every > 0 && since >= every {
                index.settle().unwrap();
                since = 0;
            }
            scores.push(scored(&index, &gold));
        }
        index.settle().unwrap();
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        let min = scores.iter().copied().fold(1.0, f64::min);
        let name = match every {
            0 => "provisional only".to_owned(),
            n => format!("settle every {n} items"),
        };
        println!(
            "{name:<44} {mean:>10.4} {min:>10.4} {:>10.4}",
            scored(&index, &gold)
        );
        drop(index);
        let _ = std::fs::remove_file(&db);
    }
    println!();
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
    feed_ecbplus(&dir);
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

    drop(server);

    // The service under load: LOADED_CLIENTS checkers while one writer
    // stores new items one request at a time and a settle (every 50 stored
    // items) runs over the index.
    let copy = dir.join(format!("loaded-{items}.db"));
    remove_index(&copy);
    std::fs::copy(&db, &copy).unwrap();
    let server = Server::start_with(Path::new(BINARY), &copy, &["--settle-every", "50"], &[]);
    let url = format!("{}/v1/check", server.base);
    let items_url = format!("{}/v1/items", server.base);
    let generated = corpus(400, 4242);
    // First alone for 10 s (what 16 clients at once cost on two cores,
    // the load generator included), then with the writer; each client
    // sending its next check as soon as the last is answered (saturation),
    // then at 50 checks/s each (latency counted from when each check was
    // due, so a late answer delays the count of the next).
    // In the paced phase the writer too keeps a publisher's pace (40 items
    // a second, so the phase lasts 10 s and its settles run during it).
    for (phase, with_writer, rate) in [(0, false, None), (1, true, None), (2, true, Some(50.0))] {
        let writer_rate = rate.map(|_| 40.0);
        let fresh: Vec<String> = generated
            .iter()
            .map(|d| {
                let id = format!("new-{phase}-{}", d.id);
                serde_json::json!({"id": id, "title": d.title, "text": d.body}).to_string()
            })
            .collect();
        let writing = std::sync::atomic::AtomicBool::new(true);
        let start = Instant::now();
        let (latencies, written) = std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                let agent = client();
                let mut written = 0;
                if !with_writer {
                    std::thread::sleep(Duration::from_secs(10));
                }
                for (i, body) in fresh.iter().filter(|_| with_writer).enumerate() {
                    if start.elapsed() > Duration::from_secs(60) {
                        break;
                    }
                    if let Some(rate) = writer_rate {
                        let due = start + Duration::from_secs_f64(i as f64 / rate);
                        std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    }
                    let (status, _) = post(&agent, &items_url, body);
                    assert_eq!(status, 200);
                    written += 1;
                }
                writing.store(false, std::sync::atomic::Ordering::Relaxed);
                written
            });
            let handles: Vec<_> = (0..LOADED_CLIENTS)
                .map(|c| {
                    let (url, bodies, writing) = (&url, &bodies, &writing);
                    scope.spawn(move || {
                        let agent = client();
                        let mut latencies = Vec::new();
                        // Paced clients start spread over one period, as
                        // independent publishers would, not all at the same
                        // instant (16 requests at once every 20 ms measure
                        // the burst, not the service).
                        let offset = rate.map_or(0.0, |r| c as f64 / (r * LOADED_CLIENTS as f64));
                        let (first, begun) =
                            (c * 7919, Instant::now() + Duration::from_secs_f64(offset));
                        let mut i = first;
                        while writing.load(std::sync::atomic::Ordering::Relaxed) {
                            let body = &bodies[i % bodies.len()];
                            let due = match rate {
                                Some(rate) => {
                                    let after = (i - first) as f64 / rate;
                                    let due = begun + Duration::from_secs_f64(after);
                                    let wait = due.saturating_duration_since(Instant::now());
                                    std::thread::sleep(wait);
                                    due
                                }
                                None => Instant::now(),
                            };
                            let (status, _) = post(&agent, url, body);
                            assert_eq!(status, 200);
                            latencies.push(due.elapsed());
                            i += 1;
                        }
                        latencies
                    })
                })
                .collect();
            let latencies: Vec<Duration> = handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect();
            (latencies, writer.join().unwrap())
        });
        let pace = match rate {
            Some(rate) => format!(" at {rate}/s each"),
            None => String::new(),
        };
        let name = if with_writer {
            let writer_pace = writer_rate.map_or(String::new(), |r| format!(" at {r}/s"));
            format!("HTTP: {LOADED_CLIENTS} checkers{pace}, writer{writer_pace} + settles")
        } else {
            format!("HTTP: {LOADED_CLIENTS} checkers{pace} alone")
        };
        report(&name, latencies, start.elapsed());
        if with_writer {
            println!(
                "(the writer stored {written} items in {:.1} s meanwhile)",
                start.elapsed().as_secs_f64()
            );
        }
    }
    drop(server);
    remove_index(&copy);
}

/// Removes an index file and its WAL companions.
fn remove_index(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = db.as_os_str().to_owned();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }
}
