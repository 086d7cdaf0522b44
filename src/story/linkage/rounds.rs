//! Average linkage in rounds, each round's merges made in parallel.
//!
//! Two clusters that are each other's best partner (reciprocal nearest
//! neighbours) merge in the tree [`super::average_linkage`] builds: average
//! linkage is reducible (a merge never brings the new cluster closer to a
//! third than the nearer of its parts was), so no later merge can give
//! either a better partner. Every such pair of a round therefore merges at
//! once, the pairs being disjoint; then the merged clusters' neighbours
//! learn of the new clusters, and the next round finds the pairs that
//! makes. The merges are those of the one-pair-at-a-time linkage, in
//! another order that still puts every cluster after its parts.
//!
//! A cluster whose best partner merged is left stale, as in the
//! one-pair-at-a-time linkage, and is scanned again only when another
//! cluster's best partner is it, or when a round finds no pair.
//!
//! Two things can make the trees differ, neither seen on any corpus
//! measured (Reuters, the dev sets, 200,000 and a million generated
//! documents: byte-identical reports). Summed weights are f32, as there,
//! and where a new cluster's neighbour also merged in the same round, the
//! up to four weights between their parts are added in one fixed order on
//! both sides (so each side holds the same sum), which may differ in the
//! last bit from the order the merges came in one at a time. And exact
//! ties between means go to the smaller ids, which new clusters get in
//! another order here.

use super::{Candidate, Links, Merge, best_pair, due_for_compaction};
use rayon::prelude::*;

/// `parent` of a cluster not merged yet.
const ALIVE: u32 = u32::MAX;

/// What a round's neighbour step writes of a cluster: one record each, so
/// that the older clusters split into ranges as one slice.
#[derive(Clone, Default)]
struct Node {
    /// Summed weights to neighbouring clusters, some of them merged since.
    links: Links,
    /// Length of `links` when merged clusters were last dropped from it.
    compacted: usize,
    /// The best pair the cluster is in, if it reaches the stop.
    best: Option<Candidate>,
    /// Whether its best partner was merged since it was last scanned.
    stale: bool,
    /// The first id of the last round whose new clusters were added to
    /// `links` (ids only grow, so it tells the round).
    told: u32,
}

/// The linkage's clusters, by id (units first, then one per merge).
struct Clusters {
    nodes: Vec<Node>,
    /// Units in each cluster.
    size: Vec<u64>,
    /// The cluster a merged cluster became, or [`ALIVE`]. A round's new
    /// clusters take the ids from its first one up, so a parent at or past
    /// that id marks a cluster merged in the round, an earlier one a
    /// cluster merged before.
    parent: Vec<u32>,
}

impl Clusters {
    fn alive(&self, id: u32) -> bool {
        self.parent[id as usize] == ALIVE
    }

    /// Whether `id` is alive and its best pair known (not stale).
    fn fresh(&self, id: u32) -> bool {
        self.alive(id) && !self.nodes[id as usize].stale
    }

    /// The partner of `id` in its best pair, if it has one.
    fn best_partner(&self, id: u32) -> Option<u32> {
        self.nodes[id as usize].best.map(|best| partner(&best, id))
    }

    /// Drops merged clusters from the lists of `ids` (each once) and finds
    /// their best pairs again, in parallel.
    fn rescan(&mut self, ids: &[u32], stop: f64) {
        let mut taken: Vec<(u32, Links)> = ids
            .iter()
            .map(|&id| (id, std::mem::take(&mut self.nodes[id as usize].links)))
            .collect();
        let this = &*self;
        let bests: Vec<Option<Candidate>> = taken
            .par_iter_mut()
            .map(|(id, list)| {
                list.retain(|&(other, _)| this.alive(other));
                let size = this.size[*id as usize];
                best_pair(*id, size, list, stop, |other| this.size[other as usize])
            })
            .collect();
        for ((id, links), best) in taken.into_iter().zip(bests) {
            let node = &mut self.nodes[id as usize];
            node.compacted = links.len();
            node.links = links;
            node.best = best;
            node.stale = false;
        }
    }
}

/// Whether `id` merged in the round whose new clusters start at `base`
/// (see [`Clusters::parent`]).
fn merged_since(parent: &[u32], id: u32, base: u32) -> bool {
    parent[id as usize] != ALIVE && parent[id as usize] >= base
}

/// The partner of `cluster` in its best pair.
fn partner(best: &Candidate, cluster: u32) -> u32 {
    if best.a == cluster { best.b } else { best.a }
}

/// [`super::average_linkage`], a round of reciprocal best pairs at a time
/// (see the module docs): the same merges, each after its parts.
pub(super) fn merge_in_rounds(links: Vec<Links>, stop: f64) -> Vec<Merge> {
    let units = links.len();
    let mut clusters = Clusters {
        nodes: links
            .into_iter()
            .map(|links| Node {
                compacted: links.len(),
                links,
                ..Node::default()
            })
            .collect(),
        size: vec![1; units],
        parent: vec![ALIVE; units],
    };
    let mut work: Vec<u32> = (0..units as u32).collect();
    clusters.rescan(&work, stop);
    let mut stale: Vec<u32> = Vec::new();
    let mut merges = Vec::new();
    loop {
        // A cluster that changed may now be its best partner's best: a
        // stale partner is scanned to tell.
        let mut partners: Vec<u32> = work
            .iter()
            .filter(|&&c| clusters.fresh(c))
            .filter_map(|&c| clusters.best_partner(c))
            .filter(|&p| clusters.nodes[p as usize].stale)
            .collect();
        partners.sort_unstable();
        partners.dedup();
        clusters.rescan(&partners, stop);
        work.extend(partners);
        let mut pairs: Vec<(u32, u32)> = work
            .iter()
            .filter(|&&c| clusters.fresh(c))
            .filter_map(|&c| {
                let p = clusters.best_partner(c)?;
                (clusters.fresh(p) && clusters.best_partner(p) == Some(c))
                    .then(|| (c.min(p), c.max(p)))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        if pairs.is_empty() {
            // Pairs may still wait among clusters left stale: scan them all.
            stale.retain(|&s| clusters.alive(s) && clusters.nodes[s as usize].stale);
            stale.sort_unstable();
            stale.dedup();
            if stale.is_empty() {
                return merges;
            }
            work = std::mem::take(&mut stale);
            clusters.rescan(&work, stop);
            continue;
        }
        let base = clusters.nodes.len() as u32;
        for (i, &(a, b)) in pairs.iter().enumerate() {
            clusters.parent[a as usize] = base + i as u32;
            clusters.parent[b as usize] = base + i as u32;
        }
        let this = &clusters;
        let built: Vec<(Links, f64)> = pairs
            .par_iter()
            .map(|&(a, b)| merged_links(this, base, a, b))
            .collect();
        for (&(a, b), (links, sum)) in pairs.iter().zip(built) {
            // The parts' lists are read no more.
            clusters.nodes[a as usize].links = Vec::new();
            clusters.nodes[b as usize].links = Vec::new();
            let similarity = clusters.nodes[a as usize]
                .best
                .map_or(0.0, |best| best.similarity);
            merges.push(Merge {
                a: a as usize,
                b: b as usize,
                similarity,
                sum,
            });
            clusters.nodes.push(Node {
                compacted: links.len(),
                links,
                ..Node::default()
            });
            clusters
                .size
                .push(clusters.size[a as usize] + clusters.size[b as usize]);
            clusters.parent.push(ALIVE);
        }
        work = (base..clusters.nodes.len() as u32).collect();
        let (changed, newly_stale) = tell_neighbours(&mut clusters, base, stop);
        stale.extend(newly_stale);
        clusters.rescan(&work, stop);
        work.extend(changed);
    }
}

/// The links of the cluster that `a` and `b` merge into (in the round
/// whose new clusters start at `base`), and their summed weight to each
/// other.
fn merged_links(clusters: &Clusters, base: u32, a: u32, b: u32) -> (Links, f64) {
    thread_local! {
        /// Where each neighbour sits in the list being formed.
        static POSITION: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let id = clusters.parent[a as usize];
    POSITION.with_borrow_mut(|position| {
        if position.len() < clusters.nodes.len() {
            position.resize(clusters.nodes.len(), u32::MAX);
        }
        let mut links: Links = Vec::new();
        // Weights to clusters merged in this round, by their new cluster
        // and the pair of parts they join.
        let mut merging: Vec<(u32, (u32, u32), f32)> = Vec::new();
        let mut sum = 0.0;
        for side in [a, b] {
            for &(other, weight) in &clusters.nodes[side as usize].links {
                if side == a && other == b {
                    sum += weight as f64;
                }
                let into = clusters.parent[other as usize];
                if into == ALIVE {
                    match position[other as usize] {
                        u32::MAX => {
                            position[other as usize] = links.len() as u32;
                            links.push((other, weight));
                        }
                        at => links[at as usize].1 += weight,
                    }
                } else if merged_since(&clusters.parent, other, base) && into != id {
                    merging.push((into, (side.min(other), side.max(other)), weight));
                }
            }
        }
        for &(other, _) in &links {
            position[other as usize] = u32::MAX;
        }
        // Both new clusters add the same weights in this one order.
        merging.sort_unstable_by_key(|&(into, parts, _)| (into, parts));
        for run in merging.chunk_by(|x, y| x.0 == y.0) {
            let weight = run[1..].iter().fold(run[0].2, |total, x| total + x.2);
            links.push((run[0].0, weight));
        }
        (links, sum)
    })
}

/// Adds each new cluster (ids from `base`) to its older neighbours' lists
/// and updates their best pairs; returns the neighbours whose best pair
/// changed, and those whose best partner merged in this round (now
/// stale). The older clusters are cut into ranges of ids, each range's
/// task reading every new list and writing only its own range: no two
/// threads write one cluster, and nothing is sorted.
fn tell_neighbours(clusters: &mut Clusters, base: u32, stop: f64) -> (Vec<u32>, Vec<u32>) {
    // Two ranges a thread, so that one thread takes over where the other's
    // range holds more of the round's news (200k generated documents: the
    // largest component's linkage 0.84-1.0 s with one a thread, 0.77-0.84 s
    // with two, 0.85-1.05 s with four).
    let parts = 2 * rayon::current_num_threads().max(1);
    let step = (base as usize).div_ceil(parts).max(1);
    let (old, new) = clusters.nodes.split_at_mut(base as usize);
    let (size, parent) = (&clusters.size, &clusters.parent);
    let found: Vec<(Vec<u32>, Vec<u32>)> = old
        .par_chunks_mut(step)
        .enumerate()
        .map(|(range, nodes)| {
            let first = range * step;
            let (mut changed, mut newly_stale) = (Vec::new(), Vec::new());
            for (offset, new_node) in new.iter().enumerate() {
                let new_id = base + offset as u32;
                for &(other, weight) in &new_node.links {
                    let Some(node) = (other as usize)
                        .checked_sub(first)
                        .and_then(|i| nodes.get_mut(i))
                    else {
                        continue;
                    };
                    if node.told != base {
                        // First news of this round: a best partner merged
                        // in it leaves its old best as a bound.
                        node.told = base;
                        if let Some(old) = node.best
                            && !node.stale
                            && (merged_since(parent, old.a, base)
                                || merged_since(parent, old.b, base))
                        {
                            node.best = None;
                            node.stale = true;
                            newly_stale.push(other);
                        }
                    }
                    node.links.push((new_id, weight));
                    if due_for_compaction(node.links.len(), node.compacted) {
                        node.links.retain(|&(x, _)| parent[x as usize] == ALIVE);
                        node.compacted = node.links.len();
                    }
                    if node.stale {
                        continue;
                    }
                    let mean =
                        weight as f64 / (size[other as usize] * size[new_id as usize]) as f64;
                    let candidate = Candidate::new(mean, other, new_id);
                    if candidate.similarity >= stop && node.best.is_none_or(|old| candidate > old) {
                        // Noted once a round: its first better pair replaces
                        // none or one with an older cluster, later ones one
                        // with a cluster of this round.
                        if node.best.is_none_or(|old| partner(&old, other) < base) {
                            changed.push(other);
                        }
                        node.best = Some(candidate);
                    }
                }
            }
            (changed, newly_stale)
        })
        .collect();
    let mut changed = Vec::new();
    let mut newly_stale = Vec::new();
    for (c, s) in found {
        changed.extend(c);
        newly_stale.extend(s);
    }
    (changed, newly_stale)
}
