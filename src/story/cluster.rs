//! Clustering units (documents, or groups of near-duplicates) into stories.
//!
//! Average linkage over the graph of their similarities (cosine times the
//! time factor; pairs under the floor count as 0, see [`linkage`]) gives a
//! merge tree, which [`Cut`] turns into stories: a merge stands when the
//! mean similarity between its two sides reaches the story threshold, and
//! is undone when it is below the floor; in between, it is undone when each
//! side is markedly tighter on its own than the two are together (their
//! mean similarity below `split_ratio` times each side's mean inner
//! similarity). Two single documents have no inner similarity: in between,
//! they join while time has taken less than half their similarity
//! ([`LONE_PAIR_MIN_TIME_FACTOR`]), and not after. A story is a highest
//! node whose merges all stand.
//!
//! A story's sub-stories are the two groups its last merge joined (those of
//! at least two documents): by construction each is tighter than the story,
//! and each can hold sub-stories of its own, down to [`SUBSTORY_DEPTH`].

use super::linkage::{self, Links, Merge};
use super::neighbours::{self, NeighbourOptions};
use super::time::TimeDecay;
use crate::unionfind::UnionFind;
use crate::vector::SparseVector;
use rayon::prelude::*;

/// Levels of sub-stories kept below a story.
pub const SUBSTORY_DEPTH: usize = 2;

/// Time factor below which two single documents join only at the full
/// threshold (see [`Cut`]'s use in the merge rule).
pub const LONE_PAIR_MIN_TIME_FACTOR: f32 = 0.5;

/// A story's units and its sub-stories.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Unit indices, ascending.
    pub units: Vec<u32>,
    /// Sub-stories: the parts of at least two units that the story's last
    /// merge joined.
    pub substories: Vec<Cluster>,
}

/// Where the merge tree is cut (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cut {
    /// A merge whose sides have at least this mean cosine always stands.
    pub threshold: f32,
    /// A merge whose sides have less than this mean cosine never stands.
    pub floor: f32,
    /// Between the two, a merge is undone when its sides' mean cosine is
    /// below this share of each side's own mean inner cosine.
    pub split_ratio: f32,
}

impl Cut {
    /// The cut at `threshold`, with the floor at half of it.
    pub fn at(threshold: f32, split_ratio: f32) -> Cut {
        Cut {
            threshold,
            floor: threshold / 2.0,
            split_ratio,
        }
    }
}

/// What clustering knows of every unit (a document, or a group of
/// near-duplicates), by unit index.
#[derive(Clone, Copy, Debug)]
pub struct Units<'a> {
    /// TF-IDF vectors (unit length).
    pub vectors: &'a [SparseVector],
    /// Length factors relative to the corpus's median document (see
    /// [`super::length_factor`]): when the mean factors of a merge's two
    /// sides multiply to more than 1, its threshold and floor are raised by
    /// that product, so documents longer than the median are held to the
    /// higher threshold their length calls for. (Never lowered: the tree
    /// is only built down to the cut's floor.)
    pub lengths: &'a [f32],
    /// Publication times, where known.
    pub times: &'a [Option<i64>],
    /// How similarity falls with the time between two units.
    pub decay: TimeDecay,
}

impl Units<'_> {
    /// Pairs of units whose similarity (cosine times time factor) reaches
    /// `floor`, with that similarity: candidates from `search`, never all
    /// pairs. Time only lowers similarities, so a pair under the floor once
    /// time is counted links nothing the linkage could keep.
    pub fn edges(&self, floor: f32, search: &NeighbourOptions) -> Vec<(u32, u32, f32)> {
        neighbours::dated_edges(self.vectors, self.times, &self.decay, floor, search)
    }
}

/// Clusters the units joined by `edges` (unit, unit, similarity: see
/// [`Units::edges`]) into stories, ordered by their first unit. Average
/// linkage runs over the edge graph, a pair without an edge counting as
/// similarity 0 (see [`linkage`]); its connected components are
/// independent, so they are clustered in parallel, and the result is the
/// same as over the whole graph at once.
pub fn cluster_graph(units: &Units, edges: Vec<(u32, u32, f32)>, cut: &Cut) -> Vec<Cluster> {
    let n = units.vectors.len();
    let mut components = UnionFind::new(n);
    let mut degree = vec![0usize; n];
    for &(a, b, _) in &edges {
        components.union(a, b);
        degree[a as usize] += 1;
        degree[b as usize] += 1;
    }
    let components = components.sets(1);
    let mut local = vec![0u32; n];
    for members in &components {
        for (i, &unit) in members.iter().enumerate() {
            local[unit as usize] = i as u32;
        }
    }
    // Each unit's neighbours by their number in its component; the edges
    // are dropped before linkage, so the graph is never held twice.
    let mut links: Vec<Links> = degree.into_par_iter().map(Vec::with_capacity).collect();
    link_units(&edges, &local, &mut links);
    drop(edges);
    let graphs: Vec<(&Vec<u32>, Vec<Links>)> = components
        .iter()
        .map(|members| {
            let graph = members
                .iter()
                .map(|&unit| std::mem::take(&mut links[unit as usize]))
                .collect();
            (members, graph)
        })
        .collect();
    let mut clusters: Vec<Cluster> = graphs
        .into_par_iter()
        .flat_map_iter(|(members, graph)| cluster_component(members, graph, units, cut))
        .collect();
    clusters.sort_unstable_by_key(|c| c.units[0]);
    clusters
}

/// Fills each unit's links from `edges` (sorted by `(a, b)`, `a < b`),
/// neighbours by their number in the component (`local`), in edge order:
/// those before the unit (edges `(a, unit)`) first, then those after it.
/// Units are split into a range a thread, each thread writing only its
/// own units' links; it reads every edge for the neighbours before its
/// units, and only its own run of edges for those after (200k generated
/// documents: 170 ms on one core).
fn link_units(edges: &[(u32, u32, f32)], local: &[u32], links: &mut [Links]) {
    let range = links.len().div_ceil(rayon::current_num_threads()).max(1);
    links
        .par_chunks_mut(range)
        .enumerate()
        .for_each(|(r, own)| {
            let first = r * range;
            let units = first as u32..(first + own.len()) as u32;
            for &(a, b, similarity) in edges {
                if units.contains(&b) {
                    own[(b - units.start) as usize].push((local[a as usize], similarity));
                }
            }
            let start = edges.partition_point(|&(a, _, _)| a < units.start);
            for &(a, b, similarity) in &edges[start..] {
                if a >= units.end {
                    break;
                }
                own[(a - units.start) as usize].push((local[b as usize], similarity));
            }
        });
}

/// Clusters one connected component (unit indices, ascending; each one's
/// neighbours by their position).
fn cluster_component(members: &[u32], graph: Vec<Links>, units: &Units, cut: &Cut) -> Vec<Cluster> {
    // Merges under the floor never stand (see `Tree::stories`), nor does
    // any merge above one: the tree is needed down to the floor only.
    let merges = linkage::average_linkage(graph, cut.floor as f64);
    let tree = Tree {
        leaves: members.len(),
        merges,
    };
    let leaf_lengths: Vec<f32> = members.iter().map(|&u| units.lengths[u as usize]).collect();
    let leaf_times: Vec<Option<i64>> = members.iter().map(|&u| units.times[u as usize]).collect();
    tree.stories(cut, &leaf_lengths, &leaf_times, &units.decay)
        .into_iter()
        .map(|root| tree.cluster(root, members, SUBSTORY_DEPTH))
        .collect()
}

/// A merge forest: nodes `0..leaves` are units, node `leaves + i` is made
/// by merge `i`; a node no merge took is a root.
struct Tree {
    leaves: usize,
    merges: Vec<Merge>,
}

impl Tree {
    /// The nodes that are stories under `cut`, given each leaf's length
    /// factor: the highest nodes whose merges all stand.
    fn stories(
        &self,
        cut: &Cut,
        leaf_lengths: &[f32],
        leaf_times: &[Option<i64>],
        decay: &TimeDecay,
    ) -> Vec<usize> {
        // Size, inner similarity sum and summed length factor of every
        // node, from the bottom up.
        let nodes = self.leaves + self.merges.len();
        let mut size = vec![1usize; nodes];
        let mut inner_sum = vec![0f64; nodes];
        let mut length_sum: Vec<f64> = leaf_lengths.iter().map(|&l| l as f64).collect();
        length_sum.resize(nodes, 0.0);
        for (i, merge) in self.merges.iter().enumerate() {
            let (node, a, b) = (self.leaves + i, merge.a, merge.b);
            size[node] = size[a] + size[b];
            inner_sum[node] = inner_sum[a] + inner_sum[b] + merge.sum;
            length_sum[node] = length_sum[a] + length_sum[b];
        }
        // The product of the sides' mean length factors: the mean over the
        // merge's cross pairs of each pair's own factor.
        let pair_factor = |a: usize, b: usize| {
            (length_sum[a] / size[a] as f64 * length_sum[b] / size[b] as f64) as f32
        };
        let cohesion = |node: usize| {
            let pairs = size[node] * (size[node] - 1) / 2;
            inner_sum[node] / pairs as f64
        };
        let stands = |i: usize| {
            let Merge { a, b, .. } = self.merges[i];
            let between = self.merges[i].similarity as f32;
            let factor = pair_factor(a, b).max(1.0);
            if between >= cut.threshold * factor {
                return true;
            }
            if between < cut.floor * factor {
                return false;
            }
            // Two single documents give no inner similarity to compare
            // with. Close in time, the floor alone keeps them apart; once
            // time has taken half their similarity (a week apart with the
            // default decay), nothing but the words says they are one
            // event, so they need the threshold (Reuters: stories over a
            // week long 17.4 % -> 9.9 %).
            if a < self.leaves && b < self.leaves {
                return decay.factor(leaf_times[a], leaf_times[b]) >= LONE_PAIR_MIN_TIME_FACTOR;
            }
            // A single document joining a group: only the floor can keep
            // it out.
            if a < self.leaves || b < self.leaves {
                return true;
            }
            let tighter = cohesion(a).min(cohesion(b));
            (between as f64) >= cut.split_ratio as f64 * tighter
        };
        // A story is a node whose merges all stand, down to its leaves: a
        // merge undone low in the tree splits every node above it, so an
        // outlier joining late cannot glue two separate stories together.
        let mut whole = vec![true; nodes];
        let mut root = vec![true; nodes];
        for (i, merge) in self.merges.iter().enumerate() {
            whole[self.leaves + i] = whole[merge.a] && whole[merge.b] && stands(i);
            root[merge.a] = false;
            root[merge.b] = false;
        }
        let mut stories = Vec::new();
        let mut stack: Vec<usize> = (0..nodes).filter(|&node| root[node]).collect();
        while let Some(node) = stack.pop() {
            match self.children(node) {
                Some((a, b)) if !whole[node] => stack.extend([a, b]),
                _ => stories.push(node),
            }
        }
        stories
    }

    fn children(&self, node: usize) -> Option<(usize, usize)> {
        node.checked_sub(self.leaves)
            .map(|i| (self.merges[i].a, self.merges[i].b))
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
    fn cluster(&self, node: usize, members: &[u32], depth: usize) -> Cluster {
        let mut substories: Vec<Cluster> = match self.children(node) {
            Some((a, b)) if depth > 0 => [a, b]
                .into_iter()
                .filter(|&child| child >= self.leaves)
                .map(|child| self.cluster(child, members, depth - 1))
                .collect(),
            _ => Vec::new(),
        };
        substories.sort_by_key(|c| c.units[0]);
        Cluster {
            units: self
                .leaves_of(node)
                .into_iter()
                .map(|i| members[i])
                .collect(),
            substories,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Links filled range by range are those filled edge by edge.
        #[test]
        fn links_are_filled_in_edge_order(
            pairs in proptest::collection::btree_set((0u32..40, 0u32..40), 0..200),
        ) {
            let units = 40;
            let edges: Vec<(u32, u32, f32)> = pairs
                .into_iter()
                .filter(|&(a, b)| a < b)
                .map(|(a, b)| (a, b, (a * 40 + b) as f32))
                .collect();
            let local: Vec<u32> = (0..units).map(|u| u * 3 + 1).collect();
            let mut serial: Vec<Links> = vec![Vec::new(); units as usize];
            for &(a, b, similarity) in &edges {
                serial[a as usize].push((local[b as usize], similarity));
                serial[b as usize].push((local[a as usize], similarity));
            }
            let mut ranged: Vec<Links> = vec![Vec::new(); units as usize];
            link_units(&edges, &local, &mut ranged);
            proptest::prop_assert_eq!(ranged, serial);
        }
    }

    fn unit(entries: &[(u32, f32)]) -> SparseVector {
        SparseVector::unit_from_entries(entries.to_vec())
    }

    /// Clusters `vectors` with the given length factors, undated.
    fn cluster_with(vectors: &[SparseVector], lengths: &[f32], cut: &Cut) -> Vec<Cluster> {
        let times = vec![None; vectors.len()];
        let units = Units {
            vectors,
            lengths,
            times: &times,
            decay: TimeDecay::OFF,
        };
        cluster_all_pairs(&units, cut)
    }

    /// Clusters `units` over every pair at the cut's floor.
    fn cluster_all_pairs(units: &Units, cut: &Cut) -> Vec<Cluster> {
        let edges = units.edges(cut.floor, &NeighbourOptions::default());
        cluster_graph(units, edges, cut)
    }

    /// Clusters full-length, undated `vectors` (thresholds as given).
    fn cluster_all(vectors: &[SparseVector], cut: &Cut) -> Vec<Cluster> {
        cluster_with(vectors, &vec![1.0; vectors.len()], cut)
    }

    /// A plain threshold cut: no floor below it.
    fn cut(threshold: f32) -> Cut {
        Cut {
            threshold,
            floor: threshold,
            split_ratio: 1.0,
        }
    }

    #[test]
    fn cuts_stories_and_substories() {
        let vectors = [
            unit(&[(1, 1.0), (2, 1.0), (3, 0.2)]),
            unit(&[(1, 1.0), (2, 1.0), (3, 0.3)]),
            unit(&[(1, 1.0), (4, 1.0)]),
            unit(&[(9, 1.0)]),
        ];
        let clusters = cluster_all(&vectors, &cut(0.3));
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].units, vec![0, 1, 2]);
        assert_eq!(clusters[0].substories.len(), 1);
        assert_eq!(clusters[0].substories[0].units, vec![0, 1]);
        assert_eq!(clusters[1].units, vec![3]);
    }

    #[test]
    fn two_lone_documents_far_apart_in_time_need_the_threshold() {
        // Cosine 0.5, between the floor 0.2 and the threshold 0.9.
        let vectors = [unit(&[(1, 1.0), (2, 1.0)]), unit(&[(1, 1.0), (3, 1.0)])];
        let cut = Cut {
            threshold: 0.9,
            floor: 0.2,
            split_ratio: 0.85,
        };
        let decay = TimeDecay {
            scale_days: 3.0,
            floor: 0.45,
        };
        let day = crate::corpus::DAY_SECONDS;
        let stories = |times: [Option<i64>; 2]| {
            let units = Units {
                vectors: &vectors,
                lengths: &[1.0, 1.0],
                times: &times,
                decay,
            };
            cluster_all_pairs(&units, &cut).len()
        };
        assert_eq!(stories([None, None]), 1);
        assert_eq!(stories([Some(0), Some(day)]), 1);
        // Sixty days apart: factor 0.476, similarity 0.24, still above the
        // floor, but time has taken more than half of it.
        assert_eq!(stories([Some(0), Some(60 * day)]), 2);
    }

    #[test]
    fn documents_longer_than_the_median_are_held_higher() {
        // Two documents at cosine 0.5. Under a 0.4 threshold they are one
        // story at the median length and two when both are longer (factor
        // 1.2 each raises it to 0.4 × 1.44 = 0.576); under 0.6 they are two
        // however short (factors below 1 never lower it).
        let vectors = [unit(&[(1, 1.0), (2, 1.0)]), unit(&[(1, 1.0), (3, 1.0)])];
        let stories = |lengths: &[f32], threshold: f32| {
            cluster_with(&vectors, lengths, &cut(threshold)).len()
        };
        assert_eq!(stories(&[1.0, 1.0], 0.4), 1);
        assert_eq!(stories(&[1.2, 1.2], 0.4), 2);
        assert_eq!(stories(&[1.0, 1.0], 0.6), 2);
        assert_eq!(stories(&[0.5, 0.5], 0.6), 2);
    }

    #[test]
    fn tight_groups_split_below_the_threshold_but_loose_ones_do_not() {
        // Two pairs of documents; the mean cosine between the pairs is
        // below the threshold but above the floor.
        let pair = |topic: u32, own: u32, other: u32, own_weight: f32| {
            [
                unit(&[(topic, 1.0), (own, own_weight), (other, 0.4)]),
                unit(&[(topic, 1.0), (own, own_weight), (other + 1, 0.4)]),
            ]
        };
        let cut = Cut {
            threshold: 0.9,
            floor: 0.2,
            split_ratio: 0.85,
        };
        let clustered = |own_weight: f32| {
            let vectors: Vec<SparseVector> = pair(1, 10, 20, own_weight)
                .into_iter()
                .chain(pair(1, 11, 30, own_weight))
                .collect();
            cluster_all(&vectors, &cut)
        };
        // Tight pairs: each pair is far closer inside than across.
        let clusters = clustered(1.5);
        assert_eq!(clusters.len(), 2, "{clusters:?}");
        // Loose pairs: inside barely closer than across, so they stay one.
        let clusters = clustered(0.2);
        assert_eq!(clusters.len(), 1, "{clusters:?}");
        assert_eq!(clusters[0].substories.len(), 2);
    }

    /// Stories from textbook average linkage (kodama) over the full
    /// matrix of `units` units, edges as given and 0 elsewhere.
    fn stories_from_full_matrix(
        units: &Units,
        edges: &[(u32, u32, f32)],
        cut: &Cut,
    ) -> Vec<Cluster> {
        let n = units.vectors.len();
        let mut condensed = vec![1f64; n * (n - 1) / 2];
        let at = |a: usize, b: usize| a * n - a * (a + 1) / 2 + (b - a - 1);
        for &(a, b, w) in edges {
            condensed[at(a as usize, b as usize)] = 1.0 - w as f64;
        }
        let dendrogram = kodama::linkage(&mut condensed, n, kodama::Method::Average);
        let mut size = vec![1usize; n];
        let merges: Vec<Merge> = dendrogram
            .steps()
            .iter()
            .map(|step| {
                let similarity = 1.0 - step.dissimilarity;
                let sizes = size[step.cluster1] * size[step.cluster2];
                size.push(step.size);
                Merge {
                    a: step.cluster1,
                    b: step.cluster2,
                    similarity,
                    sum: similarity * sizes as f64,
                }
            })
            .take_while(|merge| merge.similarity >= cut.floor as f64)
            .collect();
        let tree = Tree { leaves: n, merges };
        let all: Vec<u32> = (0..n as u32).collect();
        let mut clusters: Vec<Cluster> = tree
            .stories(cut, units.lengths, units.times, &units.decay)
            .into_iter()
            .map(|root| tree.cluster(root, &all, SUBSTORY_DEPTH))
            .collect();
        clusters.sort_unstable_by_key(|c| c.units[0]);
        clusters
    }

    #[test]
    fn one_large_connected_group_gets_the_stories_of_the_full_matrix() {
        // 3,000 units, more than the 2,000 a block could hold when blocks
        // had full distance matrices: 300 events of 10 reports (pairs
        // 0.2-0.9 inside), every event linked to the next by weak pairs,
        // so that all are one connected group.
        let n = 3000u32;
        let mut rng = crate::synth::Rng(0x9e37_79b9_7f4a_7c15);
        let mut random = move || rng.unit() as f32;
        let mut edges = Vec::new();
        for event in 0..n / 10 {
            let first = event * 10;
            for a in first..first + 10 {
                for b in a + 1..first + 10 {
                    if random() < 0.7 {
                        edges.push((a, b, 0.2 + 0.7 * random()));
                    }
                }
                if first + 10 < n && (a == first || random() < 0.3) {
                    let b = first + 10 + (random() * 10.0) as u32;
                    edges.push((a, b.min(n - 1), 0.08 + 0.2 * random()));
                }
            }
        }
        edges.sort_unstable_by_key(|&(a, b, _)| (a, b));
        edges.dedup_by_key(|&mut (a, b, _)| (a, b));
        let vectors = vec![SparseVector::default(); n as usize];
        let (lengths, times) = (vec![1.0; n as usize], vec![None; n as usize]);
        let units = Units {
            vectors: &vectors,
            lengths: &lengths,
            times: &times,
            decay: TimeDecay::OFF,
        };
        let mut components = UnionFind::new(n as usize);
        for &(a, b, _) in &edges {
            components.union(a, b);
        }
        assert_eq!(components.sets(1).len(), 1);
        let cut = Cut {
            threshold: 0.5,
            floor: 0.1,
            split_ratio: 0.85,
        };
        let stories = cluster_graph(&units, edges.clone(), &cut);
        assert!(
            stories.len() > 100 && stories.len() < 2000,
            "{}",
            stories.len()
        );
        assert_eq!(stories, stories_from_full_matrix(&units, &edges, &cut));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..Default::default()
        })]

        /// Stories partition the units, and on one graph a higher threshold
        /// only ever splits stories: every merge that stands under it
        /// stands under a lower one (its floor is lower too, the ratio test
        /// the same), whatever the documents' length factors.
        #[test]
        fn a_higher_threshold_refines_the_stories(
            docs in proptest::collection::vec(
                proptest::collection::vec((0u32..12, 0.1f32..1.0), 1..6),
                2..24,
            ),
            low in 0.05f32..0.5,
            raise in 0.0f32..0.4,
            lengths in proptest::collection::vec(0.5f32..1.5, 24),
        ) {
            let vectors: Vec<SparseVector> = docs.iter().map(|d| unit(d)).collect();
            let cut_at = |threshold: f32| Cut::at(threshold, 0.85);
            let story_of = |clusters: &[Cluster]| {
                let mut story = vec![usize::MAX; vectors.len()];
                for (i, c) in clusters.iter().enumerate() {
                    for &u in &c.units {
                        proptest::prop_assert_eq!(story[u as usize], usize::MAX, "unit in two stories");
                        story[u as usize] = i;
                    }
                }
                proptest::prop_assert!(story.iter().all(|&s| s != usize::MAX), "unit in no story");
                Ok(story)
            };
            let times = vec![None; vectors.len()];
            let units = Units {
                vectors: &vectors,
                lengths: &lengths[..vectors.len()],
                times: &times,
                decay: TimeDecay::OFF,
            };
            let edges = units.edges(low / 2.0, &NeighbourOptions::default());
            let coarse = story_of(&cluster_graph(&units, edges.clone(), &cut_at(low)))?;
            let fine = story_of(&cluster_graph(&units, edges, &cut_at(low + raise)))?;
            for a in 0..vectors.len() {
                for b in 0..vectors.len() {
                    if fine[a] == fine[b] {
                        proptest::prop_assert_eq!(coarse[a], coarse[b]);
                    }
                }
            }
        }
    }
}
