//! linfa's DBSCAN and k-means on the pipeline's TF-IDF vectors: baselines
//! to score the default stories against (`eval --clusterer`), so that the
//! choice of average linkage can be checked on any labelled set.
//!
//! Both see the whole corpus at once: the vectors are embedded exactly in
//! one dimension per document (rows of V·√Λ from the eigendecomposition of
//! their Gram matrix have the same dot products, hence the same Euclidean
//! distances, √(2 − 2 cos) for unit vectors, and the same k-means
//! solutions), which costs an n × n matrix. They are for labelled sets of
//! up to [`MAX_DOCUMENTS`] documents, not for production runs.

use crate::vector::SparseVector;
use linfa::DatasetBase;
use linfa::traits::{Fit, Predict, Transformer};
use linfa_clustering::{Dbscan, KMeans};
use linfa_linalg::eigh::EighInto;
use linfa_nn::LinearSearch;
use linfa_nn::distance::L2Dist;
use ndarray::Array2;
use rayon::prelude::*;

/// Most documents a baseline clusters (its matrices are n × n).
pub const MAX_DOCUMENTS: usize = 3000;

/// A baseline clusterer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Baseline {
    /// DBSCAN: documents within `min_cosine` of one another are neighbours;
    /// a document with at least one neighbour is a core point (linfa's
    /// `min_points` 2, the point itself counted). Noise stays alone.
    Dbscan { min_cosine: f32 },
    /// k-means with k-means++ seeding, best of 10 runs (linfa's fixed
    /// seed, so runs repeat).
    KMeans { k: usize },
}

/// A cluster number for each vector (noise points get numbers of their
/// own), or `None` when there are more than [`MAX_DOCUMENTS`] vectors.
pub fn assign(vectors: &[SparseVector], baseline: Baseline) -> Option<Vec<usize>> {
    if vectors.len() > MAX_DOCUMENTS {
        return None;
    }
    if vectors.is_empty() {
        return Some(Vec::new());
    }
    let points = embed(vectors);
    let assignment = match baseline {
        Baseline::Dbscan { min_cosine } => {
            let radius = (2.0 - 2.0 * min_cosine as f64).max(0.0).sqrt();
            let clusters = Dbscan::params_with(2, L2Dist, LinearSearch)
                .tolerance(radius)
                .transform(&points)
                .ok()?;
            let clustered = clusters.iter().flatten().max().map_or(0, |&c| c + 1);
            clusters
                .iter()
                .enumerate()
                .map(|(row, c)| c.unwrap_or(clustered + row))
                .collect()
        }
        Baseline::KMeans { k } => {
            let k = k.clamp(1, vectors.len());
            let model = KMeans::params(k)
                .n_runs(10)
                .fit(&DatasetBase::from(points.clone()))
                .ok()?;
            model.predict(&points).to_vec()
        }
    };
    Some(assignment)
}

/// Points with the vectors' dot products, one dimension per vector.
fn embed(vectors: &[SparseVector]) -> Array2<f64> {
    let n = vectors.len();
    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|a| (0..n).map(|b| vectors[a].dot(&vectors[b]) as f64).collect())
        .collect();
    let gram = Array2::from_shape_vec((n, n), rows.concat()).expect("n × n");
    let (values, mut points) = gram.eigh_into().expect("a Gram matrix is symmetric");
    for (mut column, value) in points.columns_mut().into_iter().zip(values.iter()) {
        column *= value.max(0.0).sqrt();
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(entries: &[(u32, f32)]) -> SparseVector {
        SparseVector::unit_from_entries(entries.to_vec())
    }

    /// Two topics of four documents each, and a loner.
    fn corpus() -> Vec<SparseVector> {
        let mut vectors: Vec<SparseVector> = (0..8)
            .map(|i| {
                let topic = if i < 4 { 100 } else { 200 };
                unit(&[(topic, 1.0), (topic + 1, 1.0), (1000 + i, 0.3)])
            })
            .collect();
        vectors.push(unit(&[(999, 1.0)]));
        vectors
    }

    #[test]
    fn the_embedding_keeps_every_dot_product() {
        let vectors = corpus();
        let points = embed(&vectors);
        for a in 0..vectors.len() {
            for b in 0..vectors.len() {
                let dot = points.row(a).dot(&points.row(b));
                assert!((dot - vectors[a].dot(&vectors[b]) as f64).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn dbscan_finds_the_topics_and_leaves_the_loner_alone() {
        let found = assign(&corpus(), Baseline::Dbscan { min_cosine: 0.5 }).unwrap();
        assert!(found[..4].iter().all(|&c| c == found[0]));
        assert!(found[4..8].iter().all(|&c| c == found[4]));
        assert_ne!(found[0], found[4]);
        assert!(found[..8].iter().all(|&c| c != found[8]));
    }

    #[test]
    fn kmeans_finds_the_topics() {
        let found = assign(&corpus()[..8], Baseline::KMeans { k: 2 }).unwrap();
        assert!(found[..4].iter().all(|&c| c == found[0]));
        assert!(found[4..].iter().all(|&c| c == found[4]));
        assert_ne!(found[0], found[4]);
    }

    #[test]
    fn large_corpora_are_refused() {
        let vectors = vec![unit(&[(1, 1.0)]); MAX_DOCUMENTS + 1];
        assert_eq!(assign(&vectors, Baseline::KMeans { k: 2 }), None);
    }
}
