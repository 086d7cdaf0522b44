//! Throughput of the core stages on the bundled fixtures:
//! normalisation and MinHash signing (MB/s of text), and a whole `run`
//! (read, normalise, sign, dedup, vectors, stories); and average linkage
//! over one connected graph of 20,000 and of 200,000 units (edges per
//! second); TF-IDF vectors of 20,000 generated documents (documents per
//! second); and the neighbour search over the TF-IDF vectors of 100,000
//! generated documents (vectors per second; two tiles of later vectors),
//! with and without the time factor.
//!
//! `cargo bench --bench pipeline`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use story_cluster::corpus::{Document, ReadOptions, read_paths};
use story_cluster::sketch::{MinHasher, Signatures};
use story_cluster::story::linkage::{Links, average_linkage};
use story_cluster::story::neighbours::{NeighbourOptions, dated_edges, edges};
use story_cluster::story::time::TimeDecay;
use story_cluster::synth::{Rng, SynthOptions, generate};
use story_cluster::text::{Prepared, boilerplate, normalize, prepare};
use story_cluster::vector::{TfIdf, TfIdfOptions};
use story_cluster::{Config, analyse};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn fixtures() -> Vec<PathBuf> {
    vec![root().join("seeds"), root().join("variants")]
}

/// The 772 articles of the bundled ECB+ fixture.
fn ecbplus_articles() -> Vec<Document> {
    read_paths(&[root().join("ecbplus-dev/docs")], &ReadOptions::default()).documents
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
    // Preparing articles: titles, bodies normalised line by line (the
    // ASCII path most English takes) and the boilerplate search.
    let articles = ecbplus_articles();
    let article_bytes: usize = articles.iter().map(|d| d.title.len() + d.body.len()).sum();
    group.throughput(Throughput::Bytes(article_bytes as u64));
    group.bench_function("prepare_ecbplus_fixture", |b| {
        b.iter(|| {
            prepare(black_box(&articles), &boilerplate::Options::default())
                .texts
                .len()
        })
    });
    group.finish();

    let hasher = MinHasher::new(5, 128);
    let mut group = c.benchmark_group("minhash");
    // The Arabic fixtures take the rolling shingle path; the English
    // articles the ASCII one (packed shingle keys).
    let english: Vec<String> = read_paths(&[root().join("ecbplus-dev")], &ReadOptions::default())
        .documents
        .iter()
        .map(|d| normalize(&format!("{}\n{}", d.title, d.body)))
        .collect();
    for (name, texts) in [
        ("sign_one_core", &normalised),
        ("sign_one_core_english", &english),
    ] {
        let bytes: usize = texts.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            let mut out = vec![0u32; 128];
            b.iter(|| {
                for text in texts {
                    hasher.sign_into(black_box(text), &mut out);
                }
            })
        });
    }
    group.throughput(Throughput::Bytes(normalised_bytes as u64));
    group.bench_function("sign_parallel", |b| {
        b.iter(|| Signatures::build(&hasher, black_box(&normalised)))
    });
    // Exact verification's cost: a document's sorted shingle set.
    group.bench_function("shingle_sets_one_core", |b| {
        b.iter(|| {
            normalised
                .iter()
                .map(|text| hasher.shingles().set(black_box(text)).len())
                .sum::<usize>()
        })
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

/// One connected similarity graph: 2,000 events of 10 units (each pair
/// inside linked with probability 0.7), each event linked to the next by
/// about three weak pairs; each unit's neighbours, as linkage takes them.
fn connected_graph(units: u32) -> Vec<Links> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut random = move || rng.unit() as f32;
    let mut links: Vec<Links> = vec![Vec::new(); units as usize];
    let mut link = |a: u32, b: u32, w: f32| {
        links[a as usize].push((b, w));
        links[b as usize].push((a, w));
    };
    for first in (0..units).step_by(10) {
        for a in first..first + 10 {
            for b in a + 1..first + 10 {
                if random() < 0.7 {
                    link(a, b, 0.2 + 0.7 * random());
                }
            }
            if first + 10 < units && (a == first || random() < 0.25) {
                link(
                    a,
                    first + 10 + (random() * 10.0) as u32 % 10,
                    0.08 + 0.2 * random(),
                );
            }
        }
    }
    links
}

fn linkage(c: &mut Criterion) {
    let graph = connected_graph(20_000);
    let edges: usize = graph.iter().map(Vec::len).sum::<usize>() / 2;
    let mut group = c.benchmark_group("linkage");
    group.throughput(Throughput::Elements(edges as u64));
    group.bench_function("average_linkage_20k_units", |b| {
        b.iter(|| average_linkage(black_box(graph.clone()), 0.05).len())
    });
    // Ten times larger: the clusters and their lists no longer fit in a
    // core's cache, as in a large corpus's linkage.
    let graph = connected_graph(200_000);
    let edges: usize = graph.iter().map(Vec::len).sum::<usize>() / 2;
    group.sample_size(10);
    group.throughput(Throughput::Elements(edges as u64));
    group.bench_function("average_linkage_200k_units", |b| {
        b.iter(|| average_linkage(black_box(graph.clone()), 0.05).len())
    });
    group.finish();
}

/// Generated documents, as many as asked, from the bundled ECB+ articles
/// (see `story_cluster::synth`), with their prepared texts.
fn generated(documents: usize) -> (Vec<Document>, Prepared) {
    let base = ecbplus_articles();
    let options = SynthOptions {
        documents,
        duplicate_share: 0.1,
        seed: 1,
    };
    let documents: Vec<Document> = generate(&base, &options)
        .into_iter()
        .map(|d| d.document)
        .collect();
    let prepared = prepare(&documents, &boilerplate::Options::default());
    (documents, prepared)
}

fn vectors(c: &mut Criterion) {
    let (documents, prepared) = generated(20_000);
    let copies = vec![false; documents.len()];
    let mut group = c.benchmark_group("vectors");
    group.sample_size(10);
    group.throughput(Throughput::Elements(documents.len() as u64));
    group.bench_function("tfidf_20k_generated", |b| {
        b.iter(|| {
            TfIdf::build(
                black_box(&documents),
                &prepared.texts,
                &copies,
                &TfIdfOptions::default(),
            )
            .vectors
            .len()
        })
    });
    group.finish();
}

fn neighbours(c: &mut Criterion) {
    let (documents, prepared) = generated(100_000);
    let copies = vec![false; documents.len()];
    let tfidf = TfIdf::build(
        &documents,
        &prepared.texts,
        &copies,
        &TfIdfOptions::default(),
    );
    let mut group = c.benchmark_group("neighbours");
    group.sample_size(10);
    group.throughput(Throughput::Elements(tfidf.vectors.len() as u64));
    // The edge floor the stories of such a corpus use (S in force about
    // 0.3, a quarter of it).
    group.bench_function("edges_100k_generated", |b| {
        b.iter(|| {
            edges(
                &tfidf.vectors,
                0.075,
                &NeighbourOptions::default(),
                |_, _, cosine| cosine,
            )
            .len()
        })
    });
    // The same with the generated dates' time factor, as stories weigh it.
    let times: Vec<Option<i64>> = documents.iter().map(|d| d.time).collect();
    group.bench_function("dated_edges_100k_generated", |b| {
        b.iter(|| {
            dated_edges(
                &tfidf.vectors,
                &times,
                &TimeDecay::default(),
                0.075,
                &NeighbourOptions::default(),
            )
            .len()
        })
    });
    group.finish();
}

criterion_group!(benches, stages, linkage, vectors, neighbours);
criterion_main!(benches);
