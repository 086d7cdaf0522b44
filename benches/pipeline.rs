//! Throughput of the core stages on the bundled fixtures:
//! normalisation and MinHash signing (MB/s of text), and a whole `run`
//! (read, normalise, sign, dedup, vectors, stories).
//!
//! `cargo bench --bench pipeline`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use story_cluster::corpus::{ReadOptions, read_paths};
use story_cluster::sketch::{MinHasher, Signatures};
use story_cluster::text::normalize;
use story_cluster::{Config, analyse};

fn fixtures() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    vec![root.join("seeds"), root.join("variants")]
}

fn stages(c: &mut Criterion) {
    let corpus = read_paths(&fixtures(), &ReadOptions::default());
    let raw: Vec<String> = corpus
        .documents
        .iter()
        .map(|d| format!("{}\n{}", d.title, d.body))
        .collect();
    let raw_bytes: usize = raw.iter().map(String::len).sum();
    let normalised: Vec<String> = raw.iter().map(|t| normalize(t)).collect();
    let normalised_bytes: usize = normalised.iter().map(String::len).sum();

    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Bytes(raw_bytes as u64));
    group.bench_function("normalize", |b| {
        b.iter(|| {
            raw.iter()
                .map(|t| normalize(black_box(t)).len())
                .sum::<usize>()
        })
    });
    group.finish();

    let hasher = MinHasher::new(5, 128);
    let mut group = c.benchmark_group("minhash");
    group.throughput(Throughput::Bytes(normalised_bytes as u64));
    group.bench_function("sign_one_core", |b| {
        let mut out = vec![0u32; 128];
        b.iter(|| {
            for text in &normalised {
                hasher.sign_into(black_box(text), &mut out);
            }
        })
    });
    group.bench_function("sign_parallel", |b| {
        b.iter(|| Signatures::build(&hasher, black_box(&normalised)))
    });
    group.finish();

    let mut group = c.benchmark_group("run");
    group.throughput(Throughput::Bytes(raw_bytes as u64));
    group.bench_function("fixtures_end_to_end", |b| {
        b.iter(|| {
            let corpus = read_paths(&fixtures(), &ReadOptions::default());
            analyse(corpus.documents, &Config::default()).stories.len()
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
