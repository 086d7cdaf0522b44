//! Clustering inside one block of connected documents.
//!
//! Average linkage over the block's exact cosine distances (kodama) gives a
//! merge tree; cutting it at `1 - threshold` gives stories. A story's
//! sub-stories are the two groups its last merge joined (those of at least
//! two documents): by construction each is tighter than the story, and
//! each can hold sub-stories of its own, down to [`SUBSTORY_DEPTH`]. Blocks
//! too large for a full distance matrix are first split with k-means
//! (linfa-clustering) on hashed dense projections of the vectors.

use crate::sketch::hash::{fmix64, reduce};
use crate::vector::{Postings, SparseVector};
use kodama::{Method, linkage};
use linfa::DatasetBase;
use linfa::traits::{Fit, Predict};
use linfa_clustering::KMeans;
use ndarray::Array2;
use rayon::prelude::*;

/// Dimensions of the dense projection used to split large blocks.
const PROJECTION_DIMS: usize = 256;

/// Levels of sub-stories kept below a story.
pub const SUBSTORY_DEPTH: usize = 2;

/// A story's units and its sub-stories.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Unit indices, ascending.
    pub units: Vec<u32>,
    /// Sub-stories: the parts of at least two units that the story's last
    /// merge joined.
    pub substories: Vec<Cluster>,
}

/// Clusters one block (unit indices, ascending).
pub fn cluster_block(
    block: &[u32],
    vectors: &[SparseVector],
    threshold: f32,
    max_block: usize,
) -> Vec<Cluster> {
    if block.len() == 1 {
        return vec![Cluster {
            units: block.to_vec(),
            substories: Vec::new(),
        }];
    }
    if block.len() > max_block {
        return split(block, vectors, max_block)
            .into_par_iter()
            .flat_map_iter(|part| cluster_block(&part, vectors, threshold, max_block))
            .collect();
    }
    let n = block.len();
    let mut condensed = condensed_distances(block, vectors);
    let dendrogram = linkage(&mut condensed, n, Method::Average);
    let tree = Tree {
        leaves: n,
        merges: dendrogram
            .steps()
            .iter()
            .map(|s| (s.cluster1, s.cluster2, s.dissimilarity))
            .collect(),
    };
    let mut roots = tree.roots(1.0 - threshold);
    roots.sort_by_cached_key(|&root| tree.leaves_of(root).into_iter().min());
    roots
        .into_iter()
        .map(|root| tree.cluster(root, block, SUBSTORY_DEPTH))
        .collect()
}

/// Cosine distances between every pair of the block's vectors, as kodama's
/// condensed matrix (row-major upper triangle). Each row accumulates its dot
/// products through block-local postings, so only shared terms cost work;
/// rows are computed in parallel.
fn condensed_distances(block: &[u32], vectors: &[SparseVector]) -> Vec<f32> {
    let n = block.len();
    let postings = Postings::new(block.iter().map(|&unit| &vectors[unit as usize]));
    let rows: Vec<Vec<f32>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut dots = vec![0f32; n - i - 1];
            postings.products_after(i, &vectors[block[i] as usize], usize::MAX, |j, product| {
                dots[j as usize - i - 1] += product;
            });
            dots.into_iter().map(|dot| (1.0 - dot).max(0.0)).collect()
        })
        .collect();
    rows.concat()
}

/// A merge tree: nodes `0..leaves` are observations, node `leaves + i` is
/// made by merge `i`.
struct Tree {
    leaves: usize,
    merges: Vec<(usize, usize, f32)>,
}

impl Tree {
    /// The nodes left standing after every merge at a dissimilarity of at
    /// most `max_distance` (average linkage merges in ascending order).
    fn roots(&self, max_distance: f32) -> Vec<usize> {
        let mut standing = vec![true; self.leaves + self.merges.len()];
        standing[self.leaves..].fill(false);
        for (i, &(a, b, distance)) in self.merges.iter().enumerate() {
            if distance <= max_distance {
                standing[a] = false;
                standing[b] = false;
                standing[self.leaves + i] = true;
            }
        }
        (0..standing.len()).filter(|&node| standing[node]).collect()
    }

    fn children(&self, node: usize) -> Option<(usize, usize)> {
        node.checked_sub(self.leaves)
            .map(|i| (self.merges[i].0, self.merges[i].1))
    }

    fn leaves_of(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            match self.children(node) {
                Some((a, b)) => stack.extend([a, b]),
                None => out.push(node),
            }
        }
        out.sort_unstable();
        out
    }

    /// The cluster under `node`, with sub-stories `depth` levels down.
    fn cluster(&self, node: usize, block: &[u32], depth: usize) -> Cluster {
        let mut substories: Vec<Cluster> = match self.children(node) {
            Some((a, b)) if depth > 0 => [a, b]
                .into_iter()
                .filter(|&child| child >= self.leaves)
                .map(|child| self.cluster(child, block, depth - 1))
                .collect(),
            _ => Vec::new(),
        };
        substories.sort_by_key(|c| c.units[0]);
        Cluster {
            units: self.leaves_of(node).into_iter().map(|i| block[i]).collect(),
            substories,
        }
    }
}

/// Splits a large block into parts with k-means on a feature-hashed dense
/// projection (cosine on unit rows is monotone in Euclidean distance).
fn split(block: &[u32], vectors: &[SparseVector], max_block: usize) -> Vec<Vec<u32>> {
    let k = block.len().div_ceil(max_block).max(2);
    let mut dense = Array2::<f64>::zeros((block.len(), PROJECTION_DIMS));
    for (row, &unit) in block.iter().enumerate() {
        let v = &vectors[unit as usize];
        for (&term, &weight) in v.terms.iter().zip(&v.weights) {
            let h = fmix64(term as u64 + 1);
            let sign = if h & 1 == 0 { 1.0 } else { -1.0 };
            dense[[row, reduce(h, PROJECTION_DIMS)]] += sign * weight as f64;
        }
        let norm = dense.row(row).dot(&dense.row(row)).sqrt();
        if norm > 0.0 {
            dense.row_mut(row).mapv_inplace(|x| x / norm);
        }
    }
    // One run: the split only bounds the work, so a good-enough partition
    // from k-means++ seeding is all that is needed.
    let labels = KMeans::params(k)
        .n_runs(1)
        .max_n_iterations(30)
        .fit(&DatasetBase::from(dense.clone()))
        .map(|model| model.predict(&dense));
    let mut parts: Vec<Vec<u32>> = vec![Vec::new(); k];
    match labels {
        Ok(labels) => {
            for (&unit, &label) in block.iter().zip(labels.iter()) {
                parts[label].push(unit);
            }
        }
        Err(_) => parts.clear(),
    }
    parts.retain(|p| !p.is_empty());
    if parts.len() < 2 {
        // k-means could not separate the block: halve it so work stays bounded.
        let (left, right) = block.split_at(block.len() / 2);
        return vec![left.to_vec(), right.to_vec()];
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(entries: &[(u32, f32)]) -> SparseVector {
        SparseVector::unit_from_entries(entries.to_vec())
    }

    #[test]
    fn cuts_stories_and_substories() {
        let vectors = [
            unit(&[(1, 1.0), (2, 1.0), (3, 0.2)]),
            unit(&[(1, 1.0), (2, 1.0), (3, 0.3)]),
            unit(&[(1, 1.0), (4, 1.0)]),
            unit(&[(9, 1.0)]),
        ];
        let clusters = cluster_block(&[0, 1, 2, 3], &vectors, 0.3, 100);
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].units, vec![0, 1, 2]);
        assert_eq!(clusters[0].substories.len(), 1);
        assert_eq!(clusters[0].substories[0].units, vec![0, 1]);
        assert_eq!(clusters[1].units, vec![3]);
    }

    #[test]
    fn large_blocks_are_split_and_still_clustered() {
        // Two well separated topics, block limit below the total.
        let vectors: Vec<SparseVector> = (0..40)
            .map(|i| {
                let topic = if i % 2 == 0 { 100 } else { 200 };
                unit(&[(topic, 1.0), (topic + 1, 1.0), (1000 + i, 0.2)])
            })
            .collect();
        let block: Vec<u32> = (0..40).collect();
        let clusters = cluster_block(&block, &vectors, 0.5, 25);
        let n = vectors.len();
        let condensed = condensed_distances(&block, &vectors);
        assert_eq!(condensed.len(), n * (n - 1) / 2);
        // Row-major upper triangle: (0,1), (0,2), …, (1,2), …
        assert!((condensed[1] - (1.0 - vectors[0].dot(&vectors[2]))).abs() < 1e-6);
        assert!((condensed[n - 1] - (1.0 - vectors[1].dot(&vectors[2]))).abs() < 1e-6);
        assert_eq!(clusters.len(), 2);
        for c in &clusters {
            let parity = c.units[0] % 2;
            assert!(c.units.iter().all(|u| u % 2 == parity));
        }
    }
}
