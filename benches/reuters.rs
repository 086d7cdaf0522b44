//! Reuters-21578 (19,043 articles, 16 MB of text), end to end from the
//! gzipped JSON lines: the whole `run` (normalise, sign, dedup, vectors,
//! stories), and `dedup` alone (normalise, sign, LSH, verify, group).
//!
//! The corpus is too large to copy into fixtures/, so this bench reads it
//! from `../shared/data/reuters21578/` (or `$STORY_CLUSTER_REUTERS`) and
//! says so and does nothing when it is missing.
//!
//! `cargo bench --bench reuters`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::PathBuf;
use std::time::Duration;
use story_cluster::corpus::{ReadOptions, read_paths};
use story_cluster::{Config, PairSearch, analyse, deduplicate};

fn corpus_path() -> PathBuf {
    std::env::var_os("STORY_CLUSTER_REUTERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/data/reuters21578/reuters21578.jsonl.gz")
        })
}

fn reuters(c: &mut Criterion) {
    let path = corpus_path();
    if !path.exists() {
        eprintln!(
            "reuters bench skipped: {} is missing (set STORY_CLUSTER_REUTERS)",
            path.display()
        );
        return;
    }
    let paths = vec![path];
    let corpus = read_paths(&paths, &ReadOptions::default());
    let bytes: usize = corpus
        .documents
        .iter()
        .map(|d| d.title.len() + d.body.len())
        .sum();
    let mut group = c.benchmark_group("reuters");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(40));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("run_end_to_end", |b| {
        b.iter(|| {
            let corpus = read_paths(&paths, &ReadOptions::default());
            analyse(corpus.documents, &Config::default()).stories.len()
        })
    });
    group.bench_function("dedup_end_to_end", |b| {
        b.iter(|| {
            let corpus = read_paths(&paths, &ReadOptions::default());
            deduplicate(corpus.documents, &Config::default(), PairSearch::Lsh)
                .duplicates
                .groups
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, reuters);
criterion_main!(benches);
