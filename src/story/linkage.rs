//! Average linkage over a sparse similarity graph.
//!
//! Units are joined by weighted edges (a similarity at or above some edge
//! floor); a pair without an edge counts as similarity 0. The similarity
//! of two clusters is the mean over all their cross pairs: the sum of the
//! edge weights between them over the product of their sizes. This is
//! exactly average linkage (UPGMA) on the matrix that holds the edge
//! weights and zeros elsewhere (the graph form ParHAC uses), so it needs
//! memory for the edges only, never for all pairs, and gives the same tree
//! however many units a connected group holds.
//!
//! Each cluster keeps the summed weights to its neighbouring clusters and
//! its best partner (highest mean, then smallest ids). A merge appends the
//! new cluster to each neighbour's list, leaving the entries of the two
//! merged clusters to be dropped when that list is next scanned. A heap
//! holds the clusters' best pairs, each valid while both clusters are
//! unmerged (a pair's mean changes only by a merge, which makes a new id);
//! the best of the best pairs is the closest pair. A neighbour whose best
//! partner was merged is not rescanned at once: its mean to the new
//! cluster is a weighted mean of its means to the two merged ones, so no
//! pair it is in can be better than its old best, which goes into the heap
//! as a bound; the neighbour is rescanned only when that bound comes out
//! on top (in a large group most never do before the stop). Ties go to
//! bounds first, then to the pair of smaller ids, so the same graph always
//! gives the same tree.

mod rounds;

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A unit's neighbours, each with its similarity.
pub type Links = Vec<(u32, f32)>;

/// A merge: the two clusters (node ids: `0..units` are the units, node
/// `units + i` is made by merge `i`), the mean similarity between them,
/// and the summed similarity over their cross pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Merge {
    /// The first cluster (the smaller id).
    pub a: usize,
    /// The second cluster.
    pub b: usize,
    /// Mean similarity over the cross pairs.
    pub similarity: f64,
    /// Summed similarity over the cross pairs.
    pub sum: f64,
}

/// The merges of average linkage over units joined by weighted edges,
/// given as each unit's list of `(neighbour, similarity)` (each edge in
/// the lists of both its units, no unit its own neighbour), in order,
/// while the best pair's mean similarity reaches `stop`. Since average
/// linkage never merges at a higher similarity than before, every merge it
/// would make after the last one returned is below `stop`.
///
/// A group of 4,096 units or more (a corpus's largest connected group, as
/// a rule) is linked in rounds of reciprocal best pairs, each round's
/// merges made in parallel (`src/story/linkage/rounds.rs`: the same
/// merges, in an order that still puts every cluster after its parts); a
/// smaller one a pair at a time.
pub fn average_linkage(links: Vec<Links>, stop: f64) -> Vec<Merge> {
    if links.len() >= ROUNDS_FROM_UNITS {
        rounds::merge_in_rounds(links, stop)
    } else {
        merge_one_pair_at_a_time(links, stop)
    }
}

/// Units from which a group is linked in parallel rounds: the largest
/// connected group of a corpus, whose linkage otherwise runs on one core
/// (Reuters: one of 18,415 units, 90 ms of the stories' 100 ms of linkage;
/// 200,000 generated documents: 179,164 units, 1.4-1.7 s a pair at a
/// time, 0.77-0.84 s in rounds). Smaller groups are linked side by side
/// already; on Reuters and the generated 200,000 no other group reaches
/// 1,000 units, so the bound is a round number, not a measured one.
const ROUNDS_FROM_UNITS: usize = 4096;

/// [`average_linkage`] a merge at a time, from a heap of best pairs (see
/// the module docs).
fn merge_one_pair_at_a_time(links: Vec<Links>, stop: f64) -> Vec<Merge> {
    let units = links.len();
    let mut clusters: Vec<Cluster> = links
        .into_iter()
        .map(|links| Cluster {
            size: 1,
            compacted: links.len(),
            links,
            best: None,
            stale: false,
            merged: false,
        })
        .collect();
    let mut heap = BinaryHeap::new();
    for id in 0..units {
        rescan(&mut clusters, id, stop);
        heap.extend(clusters[id].best);
    }
    // Where each neighbour sits in the list being formed.
    let mut position: Vec<u32> = vec![u32::MAX; 2 * units];
    let mut merges = Vec::new();
    while let Some(best) = heap.pop() {
        let (a, b) = (best.a as usize, best.b as usize);
        if best.bound {
            if !clusters[a].merged && clusters[a].stale {
                rescan(&mut clusters, a, stop);
                heap.extend(clusters[a].best);
            }
            continue;
        }
        if clusters[a].merged || clusters[b].merged {
            continue;
        }
        let merged = clusters.len();
        clusters[a].merged = true;
        clusters[b].merged = true;
        let size = clusters[a].size + clusters[b].size;
        // The new cluster's links: the two lists' live entries, summed.
        let mut links: Links = Vec::new();
        let mut sum = 0.0;
        for side in [a, b] {
            let side_links = &clusters[side].links;
            for (i, &(other, weight)) in side_links.iter().enumerate() {
                if let Some(&(ahead, _)) = side_links.get(i + AHEAD) {
                    prefetch(&clusters[ahead as usize]);
                }
                if side == a && other as usize == b {
                    sum += weight as f64;
                }
                if clusters[other as usize].merged {
                    continue;
                }
                match position[other as usize] {
                    u32::MAX => {
                        position[other as usize] = links.len() as u32;
                        links.push((other, weight));
                    }
                    at => links[at as usize].1 += weight,
                }
            }
        }
        for &(other, _) in &links {
            position[other as usize] = u32::MAX;
        }
        clusters[a].links = Vec::new();
        clusters[b].links = Vec::new();
        clusters.push(Cluster {
            size,
            compacted: links.len(),
            links,
            best: None,
            stale: false,
            merged: false,
        });
        for i in 0..clusters[merged].links.len() {
            // Each neighbour's struct, then the tail of its list, is
            // fetched ahead: the loop is a chain of cache misses otherwise.
            if let Some(&(ahead, _)) = clusters[merged].links.get(i + 2 * AHEAD) {
                prefetch(&clusters[ahead as usize]);
            }
            if let Some(&(ahead, _)) = clusters[merged].links.get(i + AHEAD) {
                let links = &clusters[ahead as usize].links;
                prefetch(links.as_ptr().wrapping_add(links.len()));
            }
            let (other, weight) = clusters[merged].links[i];
            let other = other as usize;
            clusters[other].links.push((merged as u32, weight));
            if due_for_compaction(clusters[other].links.len(), clusters[other].compacted) {
                compact(&mut clusters, other);
            }
            let neighbour = &clusters[other];
            if neighbour.stale {
                // Its bound still holds.
                continue;
            }
            let candidate = Candidate::new(
                weight as f64 / (size * neighbour.size) as f64,
                other as u32,
                merged as u32,
            );
            match neighbour.best {
                // Its best partner is gone: its old best is now a bound.
                Some(old) if old.joins(a) || old.joins(b) => {
                    clusters[other].best = None;
                    clusters[other].stale = true;
                    heap.push(Candidate::bound(old.similarity, other as u32));
                }
                old if candidate.similarity >= stop && old.is_none_or(|old| candidate > old) => {
                    clusters[other].best = Some(candidate);
                    heap.push(candidate);
                }
                _ => {}
            }
        }
        rescan(&mut clusters, merged, stop);
        heap.extend(clusters[merged].best);
        merges.push(Merge {
            a,
            b,
            similarity: best.similarity,
            sum,
        });
    }
    merges
}

/// How many neighbours ahead their memory is asked for.
const AHEAD: usize = 4;

/// Asks for the cache line holding `*item`, without waiting for it (no
/// effect on what is computed; a no-op off x86-64).
#[inline(always)]
fn prefetch<T>(item: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch reads nothing the program sees and never
        // faults, whatever the address; SSE is part of every x86-64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(item.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// A cluster while linkage runs.
struct Cluster {
    size: u64,
    /// Summed weights to neighbouring clusters, some of them merged since
    /// (f32 as the weights are: half the memory of the largest structure).
    links: Links,
    /// Length of `links` when merged clusters were last dropped from it.
    compacted: usize,
    /// The best pair this cluster is in, if it reaches the stop.
    best: Option<Candidate>,
    /// Whether its best partner was merged since it was last scanned.
    stale: bool,
    merged: bool,
}

/// Drops merged clusters from a cluster's links.
fn compact(clusters: &mut [Cluster], id: usize) {
    let mut links = std::mem::take(&mut clusters[id].links);
    links.retain(|&(other, _)| !clusters[other as usize].merged);
    clusters[id].compacted = links.len();
    clusters[id].links = links;
}

/// Whether a list of `len` entries, `compacted` of them when its merged
/// clusters were last dropped, is due for dropping them again: once it
/// has more than doubled, so that each entry is moved a few times at most.
fn due_for_compaction(len: usize, compacted: usize) -> bool {
    len > 2 * compacted + 8
}

/// Compacts a cluster's links and finds its best pair again.
fn rescan(clusters: &mut [Cluster], id: usize, stop: f64) {
    compact(clusters, id);
    let cluster = &clusters[id];
    let best = best_pair(id as u32, cluster.size, &cluster.links, stop, |other| {
        clusters[other as usize].size
    });
    clusters[id].best = best;
    clusters[id].stale = false;
}

/// The best pair that cluster `id` (of `size` units, with `links`) is in,
/// if its mean reaches `stop`; `size_of` tells a neighbour's size.
fn best_pair(
    id: u32,
    size: u64,
    links: &Links,
    stop: f64,
    size_of: impl Fn(u32) -> u64,
) -> Option<Candidate> {
    links
        .iter()
        .map(|&(other, weight)| {
            let mean = weight as f64 / (size * size_of(other)) as f64;
            Candidate::new(mean, id, other)
        })
        .filter(|candidate| candidate.similarity >= stop)
        .max()
}

/// A pair of clusters in the heap, or a bound on every pair of cluster
/// `a`: the highest mean first, bounds before pairs, then the smallest ids.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    similarity: f64,
    bound: bool,
    a: u32,
    b: u32,
}

impl Candidate {
    fn new(similarity: f64, x: u32, y: u32) -> Self {
        Candidate {
            similarity,
            bound: false,
            a: x.min(y),
            b: x.max(y),
        }
    }

    fn bound(similarity: f64, cluster: u32) -> Self {
        Candidate {
            similarity,
            bound: true,
            a: cluster,
            b: cluster,
        }
    }

    /// Whether `cluster` is one of the pair.
    fn joins(&self, cluster: usize) -> bool {
        self.a as usize == cluster || self.b as usize == cluster
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.similarity
            .total_cmp(&other.similarity)
            .then(self.bound.cmp(&other.bound))
            .then_with(|| (other.a, other.b).cmp(&(self.a, self.b)))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Average linkage over the full matrix (zeros where there is no
    /// edge), the textbook way: merge the closest pair, average the rows.
    fn dense_linkage(units: usize, edges: &[(u32, u32, f32)], stop: f64) -> Vec<(f64, Vec<usize>)> {
        let mut matrix = vec![vec![0f64; units]; units];
        for &(a, b, w) in edges {
            matrix[a as usize][b as usize] = w as f64;
            matrix[b as usize][a as usize] = w as f64;
        }
        let mut members: Vec<Option<Vec<usize>>> = (0..units).map(|u| Some(vec![u])).collect();
        let mut out = Vec::new();
        loop {
            let mut best: Option<(f64, usize, usize)> = None;
            for i in 0..members.len() {
                for j in i + 1..members.len() {
                    if let (Some(x), Some(y)) = (&members[i], &members[j]) {
                        let sum: f64 = x
                            .iter()
                            .flat_map(|&p| y.iter().map(move |&q| (p, q)))
                            .map(|(p, q)| matrix[p][q])
                            .sum();
                        let mean = sum / (x.len() * y.len()) as f64;
                        if best.is_none_or(|(m, _, _)| mean > m) {
                            best = Some((mean, i, j));
                        }
                    }
                }
            }
            match best {
                Some((mean, i, j)) if mean >= stop => {
                    let mut joined = members[i].take().unwrap();
                    joined.extend(members[j].take().unwrap());
                    joined.sort_unstable();
                    out.push((mean, joined.clone()));
                    members.push(Some(joined));
                }
                _ => return out,
            }
        }
    }

    /// Each unit's neighbours, from edges.
    fn adjacency(units: usize, edges: &[(u32, u32, f32)]) -> Vec<Vec<(u32, f32)>> {
        let mut links = vec![Vec::new(); units];
        for &(a, b, w) in edges {
            links[a as usize].push((b, w));
            links[b as usize].push((a, w));
        }
        links
    }

    /// The merges as (similarity, members of the merged cluster).
    fn merged_sets(units: usize, merges: &[Merge]) -> Vec<(f64, Vec<usize>)> {
        let mut members: Vec<Vec<usize>> = (0..units).map(|u| vec![u]).collect();
        merges
            .iter()
            .map(|m| {
                let mut joined = [members[m.a].clone(), members[m.b].clone()].concat();
                joined.sort_unstable();
                members.push(joined.clone());
                (m.similarity, joined)
            })
            .collect()
    }

    #[test]
    fn merges_the_closest_clusters_first_with_zeros_for_missing_edges() {
        let edges = [(0, 1, 0.9), (1, 2, 0.6), (0, 2, 0.3), (3, 4, 0.5)];
        let merges = average_linkage(adjacency(5, &edges), 0.1);
        let sets = merged_sets(5, &merges);
        assert_eq!(sets[0].1, vec![0, 1]);
        assert_eq!(sets[1].1, vec![3, 4]);
        // 2 joins {0, 1} at the mean of 0.6 and 0.3.
        assert_eq!(sets[2].1, vec![0, 1, 2]);
        assert!((sets[2].0 - 0.45).abs() < 1e-6, "{sets:?}");
        assert!((merges[2].sum - 0.9).abs() < 1e-6);
        // {0, 1, 2} and {3, 4} share no edge: mean 0, below the stop.
        assert_eq!(merges.len(), 3);
    }

    /// Edges from weights by pair, each pair once.
    fn edges_of(weights: std::collections::BTreeMap<(u32, u32), f32>) -> Vec<(u32, u32, f32)> {
        weights
            .into_iter()
            .filter(|((a, b), _)| a < b)
            .map(|((a, b), w)| (a, b, w))
            .collect()
    }

    /// Checks that two lists of merges make the same clusters at the same
    /// similarities, whatever order they were made in, each after its parts.
    fn assert_same_merges(units: usize, one: &[Merge], other: &[Merge]) {
        for (i, merge) in other.iter().enumerate() {
            assert!(merge.a < units + i && merge.b < units + i);
        }
        let sorted = |merges: &[Merge]| {
            let mut sets: Vec<(Vec<usize>, f64)> = merged_sets(units, merges)
                .into_iter()
                .map(|(similarity, members)| (members, similarity))
                .collect();
            sets.sort_by(|x, y| x.0.cmp(&y.0));
            sets
        };
        let (one, other) = (sorted(one), sorted(other));
        assert_eq!(one.len(), other.len());
        for (x, y) in one.iter().zip(&other) {
            assert_eq!(x.0, y.0);
            assert!((x.1 - y.1).abs() < 1e-6, "{x:?} {y:?}");
        }
    }

    #[test]
    fn a_large_group_is_linked_in_rounds_to_the_same_merges() {
        // Clumps of near units with weaker links across, from the fixed
        // generator: the same graph every run, large enough for rounds.
        let units = ROUNDS_FROM_UNITS + 1000;
        // Weights of full precision: with ties, the two forms may break
        // them between different new clusters (numbered in another order).
        let mut rng = crate::synth::Rng(0x9e37_79b9_7f4a_7c15);
        let mut unit = move || rng.unit();
        let mut weights = std::collections::BTreeMap::new();
        for a in 0..units as u32 {
            for _ in 0..4 {
                let (b, weight) = if unit() < 0.3 {
                    ((unit() * units as f64) as u32, 0.05 + 0.2 * unit() as f32)
                } else {
                    (
                        (a + 1 + (unit() * 12.0) as u32) % units as u32,
                        0.3 + 0.7 * unit() as f32,
                    )
                };
                if a != b {
                    weights.insert((a.min(b), a.max(b)), weight);
                }
            }
        }
        let edges = edges_of(weights);
        let one = merge_one_pair_at_a_time(adjacency(units, &edges), 0.1);
        let rounds = average_linkage(adjacency(units, &edges), 0.1);
        assert!(
            one.len() > units / 2,
            "the test needs merges: {}",
            one.len()
        );
        assert_same_merges(units, &one, &rounds);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..Default::default()
        })]

        /// Rounds of reciprocal best pairs make the same merges.
        #[test]
        fn rounds_make_the_merges_of_one_pair_at_a_time(
            links in proptest::collection::btree_map((0u32..40, 0u32..40), 0.01f32..1.0, 0..300),
            stop in 0.0f64..0.3,
        ) {
            let (units, edges) = (40, edges_of(links));
            let one = merge_one_pair_at_a_time(adjacency(units, &edges), stop);
            let rounds = rounds::merge_in_rounds(adjacency(units, &edges), stop);
            assert_same_merges(units, &one, &rounds);
        }

        /// The sparse form makes the merges of the full matrix, at the same
        /// similarities.
        #[test]
        fn equals_average_linkage_on_the_full_matrix(
            links in proptest::collection::btree_map((0u32..14, 0u32..14), 0.01f32..1.0, 0..60),
            stop in 0.0f64..0.3,
        ) {
            let (units, edges) = (14, edges_of(links));
            let sparse = merged_sets(units, &average_linkage(adjacency(units, &edges), stop));
            let dense = dense_linkage(units, &edges, stop.max(1e-12));
            proptest::prop_assert_eq!(sparse.len(), dense.len());
            for (s, d) in sparse.iter().zip(&dense) {
                proptest::prop_assert!((s.0 - d.0).abs() < 1e-5, "{:?} {:?}", s, d);
                proptest::prop_assert_eq!(&s.1, &d.1);
            }
        }
    }
}
