//! Scores linfa's DBSCAN and k-means as story clusterers against gold
//! labels, on the same TF-IDF vectors the pipeline builds, beside the
//! pipeline's own stories (average linkage cut by the relative rule): the
//! evidence behind the default clusterer (README, "Story quality").
//!
//! cargo run --release --example story_clusterers -- LABELS.tsv PATH...
//!
//! Each alternative gets a sweep of its parameter and is reported at its
//! best, chosen with the gold labels, so the comparison favours it. k-means
//! also gets the gold number of stories among its k.

use linfa::DatasetBase;
use linfa::traits::{Fit, Predict, Transformer};
use linfa_clustering::{Dbscan, KMeans};
use linfa_linalg::eigh::EighInto;
use linfa_nn::LinearSearch;
use linfa_nn::distance::L2Dist;
use ndarray::Array2;
use std::path::PathBuf;
use story_cluster::corpus::{ReadOptions, read_paths};
use story_cluster::eval::{parse_labels, score};
use story_cluster::pipeline::{Config, analyse};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: story_clusterers LABELS.tsv PATH...");
        std::process::exit(2);
    }
    let labels_text = std::fs::read_to_string(&args[0]).expect("labels readable");
    let (labels, _) = parse_labels(&labels_text);
    let paths: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
    let documents = read_paths(&paths, &ReadOptions::default()).documents;
    let analysis = analyse(documents, &Config::default());

    // Labelled documents only, in corpus order.
    let labelled: Vec<usize> = (0..analysis.documents.len())
        .filter(|&i| labels.contains_key(&analysis.documents[i].id))
        .collect();
    let gold: Vec<&str> = labelled
        .iter()
        .map(|&i| labels[&analysis.documents[i].id].as_str())
        .collect();
    let gold_stories = {
        let mut g = gold.clone();
        g.sort_unstable();
        g.dedup();
        g.len()
    };

    let mut pipeline = vec![String::new(); analysis.documents.len()];
    for (s, story) in analysis.stories.iter().enumerate() {
        for member in &story.members {
            pipeline[member.doc as usize] = format!("s{s}");
        }
    }
    let predicted: Vec<&str> = labelled.iter().map(|&i| pipeline[i].as_str()).collect();
    println!(
        "{} labelled documents, {gold_stories} gold stories",
        labelled.len()
    );
    println!(
        "average linkage, relative cut (default): B-cubed F1 {:.4}",
        score(&predicted, &gold).bcubed_f1
    );

    // The vectors span at most one dimension per document, so embed them
    // exactly in that many: rows of V·√Λ, from the eigendecomposition of
    // the Gram matrix, have the same dot products as the TF-IDF vectors, so
    // the same Euclidean distances (√(2 − 2 cos) for unit vectors) and the
    // same k-means solutions, without 20,000 dimensions.
    let vectors = &analysis.vectors.vectors;
    let n = labelled.len();
    let mut gram = Array2::<f64>::zeros((n, n));
    for a in 0..n {
        for b in a..n {
            let dot = vectors[labelled[a]].dot(&vectors[labelled[b]]) as f64;
            gram[[a, b]] = dot;
            gram[[b, a]] = dot;
        }
    }
    let (values, basis) = gram.eigh_into().expect("symmetric eigendecomposition");
    let mut dense = basis;
    for (mut column, value) in dense.columns_mut().into_iter().zip(values.iter()) {
        column *= value.max(0.0).sqrt();
    }
    let scored = |assignment: &[String]| {
        let predicted: Vec<&str> = assignment.iter().map(String::as_str).collect();
        score(&predicted, &gold).bcubed_f1
    };

    for min_points in [2, 3] {
        let mut best = (0.0, 0.0);
        for step in 0..=16 {
            let cosine = 0.1 + 0.025 * step as f64;
            let eps = (2.0 - 2.0 * cosine).sqrt();
            let clusters = Dbscan::params_with(min_points, L2Dist, LinearSearch)
                .tolerance(eps)
                .transform(&dense)
                .expect("valid DBSCAN parameters");
            // Noise points are stories of their own.
            let assignment: Vec<String> = clusters
                .iter()
                .enumerate()
                .map(|(row, c)| match c {
                    Some(c) => format!("c{c}"),
                    None => format!("noise{row}"),
                })
                .collect();
            let f1 = scored(&assignment);
            println!("dbscan min_points {min_points} cosine {cosine:.3}: B-cubed F1 {f1:.4}");
            if f1 > best.0 {
                best = (f1, cosine);
            }
        }
        println!(
            "dbscan min_points {min_points}: best B-cubed F1 {:.4} at cosine {:.3}",
            best.0, best.1
        );
    }

    let dataset = DatasetBase::from(dense.clone());
    let mut best = (0.0, 0);
    let mut ks: Vec<usize> = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0]
        .iter()
        .map(|f| ((gold_stories as f64) * f).round() as usize)
        .collect();
    ks.dedup();
    for k in ks {
        let model = KMeans::params(k)
            .n_runs(10)
            .fit(&dataset)
            .expect("k-means fits");
        let assignment: Vec<String> = model
            .predict(&dense)
            .iter()
            .map(|c| format!("k{c}"))
            .collect();
        let f1 = scored(&assignment);
        println!("k-means k {k}: B-cubed F1 {f1:.4}");
        if f1 > best.0 {
            best = (f1, k);
        }
    }
    println!("k-means: best B-cubed F1 {:.4} at k {}", best.0, best.1);
}
