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

use super::{Candidate, Links, Merge, best_pair};
use rayon::prelude::*;

/// `merged_in` of a cluster not merged yet.
const ALIVE: u32 = u32::MAX;

/// The linkage's clusters, by id (units first, then one per merge).
struct Clusters {
    /// Summed weights to neighbouring clusters, some of them merged since.
    lists: Vec<Links>,
    /// Length of each list when merged clusters were last dropped from it.
    compacted: Vec<usize>,
    /// Units in each cluster.
    size: Vec<u64>,
    /// The round a cluster was merged in, or [`ALIVE`].
    merged_in: Vec<u32>,
    /// The cluster a merged cluster became.
    parent: Vec<u32>,
    /// The best pair a cluster is in, if it reaches the stop.
    best: Vec<Option<Candidate>>,
    /// Whether its best partner was merged since it was last scanned (its
    /// old best, dropped, was a bound on every pair it is in).
    stale: Vec<bool>,
    /// The last round whose new clusters were added to its list.
    told_in: Vec<u32>,
}

impl Clusters {
    fn alive(&self, id: u32) -> bool {
        self.merged_in[id as usize] == ALIVE
    }

    /// Drops merged clusters from the lists of `ids` (each once) and finds
    /// their best pairs again, in parallel.
    fn rescan(&mut self, ids: &[u32], stop: f64) {
        let mut taken: Vec<(u32, Links)> = ids
            .iter()
            .map(|&id| (id, std::mem::take(&mut self.lists[id as usize])))
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
        for ((id, list), best) in taken.into_iter().zip(bests) {
            let id = id as usize;
            self.compacted[id] = list.len();
            self.lists[id] = list;
            self.best[id] = best;
            self.stale[id] = false;
        }
    }
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
        compacted: links.iter().map(Vec::len).collect(),
        lists: links,
        size: vec![1; units],
        merged_in: vec![ALIVE; units],
        parent: vec![ALIVE; units],
        best: vec![None; units],
        stale: vec![false; units],
        told_in: vec![0; units],
    };
    let mut work: Vec<u32> = (0..units as u32).collect();
    clusters.rescan(&work, stop);
    let mut stale: Vec<u32> = Vec::new();
    let mut merges = Vec::new();
    let mut round = 0u32;
    loop {
        // A cluster that changed may now be its best partner's best: a
        // stale partner is scanned to tell.
        let mut partners: Vec<u32> = work
            .iter()
            .filter(|&&c| clusters.alive(c) && !clusters.stale[c as usize])
            .filter_map(|&c| clusters.best[c as usize].map(|best| partner(&best, c)))
            .filter(|&p| clusters.stale[p as usize])
            .collect();
        partners.sort_unstable();
        partners.dedup();
        clusters.rescan(&partners, stop);
        work.extend(partners);
        let mut pairs: Vec<(u32, u32)> = work
            .iter()
            .filter(|&&c| clusters.alive(c) && !clusters.stale[c as usize])
            .filter_map(|&c| {
                let p = partner(&clusters.best[c as usize]?, c);
                let back = clusters.best[p as usize]?;
                (!clusters.stale[p as usize] && partner(&back, p) == c)
                    .then(|| (c.min(p), c.max(p)))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        if pairs.is_empty() {
            // Pairs may still wait among clusters left stale: scan them all.
            stale.retain(|&s| clusters.alive(s) && clusters.stale[s as usize]);
            stale.sort_unstable();
            stale.dedup();
            if stale.is_empty() {
                return merges;
            }
            work = std::mem::take(&mut stale);
            clusters.rescan(&work, stop);
            continue;
        }
        round += 1;
        let base = clusters.lists.len() as u32;
        for (i, &(a, b)) in pairs.iter().enumerate() {
            for side in [a, b] {
                clusters.merged_in[side as usize] = round;
                clusters.parent[side as usize] = base + i as u32;
            }
        }
        let this = &clusters;
        let built: Vec<(Links, f64)> = pairs
            .par_iter()
            .enumerate()
            .map(|(i, &(a, b))| merged_links(this, round, a, b, base + i as u32))
            .collect();
        for (&(a, b), (links, sum)) in pairs.iter().zip(built) {
            // The parts' lists are read no more.
            clusters.lists[a as usize] = Vec::new();
            clusters.lists[b as usize] = Vec::new();
            let similarity = clusters.best[a as usize].map_or(0.0, |best| best.similarity);
            merges.push(Merge {
                a: a as usize,
                b: b as usize,
                similarity,
                sum,
            });
            clusters.compacted.push(links.len());
            clusters.lists.push(links);
            clusters
                .size
                .push(clusters.size[a as usize] + clusters.size[b as usize]);
            clusters.merged_in.push(ALIVE);
            clusters.parent.push(ALIVE);
            clusters.best.push(None);
            clusters.stale.push(false);
            clusters.told_in.push(0);
        }
        work = (base..clusters.lists.len() as u32).collect();
        let (changed, newly_stale) = tell_neighbours(&mut clusters, base, round, stop);
        stale.extend(newly_stale);
        clusters.rescan(&work, stop);
        work.extend(changed);
    }
}

/// The links of the cluster `id` that `a` and `b` merge into (in `round`),
/// and their summed weight to each other.
fn merged_links(clusters: &Clusters, round: u32, a: u32, b: u32, id: u32) -> (Links, f64) {
    thread_local! {
        /// Where each neighbour sits in the list being formed.
        static POSITION: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    POSITION.with_borrow_mut(|position| {
        if position.len() < clusters.lists.len() {
            position.resize(clusters.lists.len(), u32::MAX);
        }
        let mut links: Links = Vec::new();
        // Weights to clusters merged in this round, by their new cluster
        // and the pair of parts they join.
        let mut merging: Vec<(u32, (u32, u32), f32)> = Vec::new();
        let mut sum = 0.0;
        for side in [a, b] {
            for &(other, weight) in &clusters.lists[side as usize] {
                if side == a && other == b {
                    sum += weight as f64;
                }
                match clusters.merged_in[other as usize] {
                    ALIVE => match position[other as usize] {
                        u32::MAX => {
                            position[other as usize] = links.len() as u32;
                            links.push((other, weight));
                        }
                        at => links[at as usize].1 += weight,
                    },
                    r if r == round => {
                        let into = clusters.parent[other as usize];
                        if into != id {
                            merging.push((into, (side.min(other), side.max(other)), weight));
                        }
                    }
                    _ => {}
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
/// changed, and those whose best partner merged in `round` (now stale).
/// The older clusters are cut into one range of ids per thread, each
/// thread reading every new list and writing only its own range: no two
/// threads write one cluster, and nothing is sorted.
fn tell_neighbours(
    clusters: &mut Clusters,
    base: u32,
    round: u32,
    stop: f64,
) -> (Vec<u32>, Vec<u32>) {
    let base = base as usize;
    // Two ranges a thread, so that one thread takes over where the other's
    // range holds more of the round's news (200k generated documents: the
    // largest component's linkage 0.84-1.0 s with one a thread, 0.77-0.84 s
    // with two, 0.85-1.05 s with four).
    let parts = 2 * rayon::current_num_threads().max(1);
    let step = base.div_ceil(parts).max(1);
    let (old_lists, new_lists) = clusters.lists.split_at_mut(base);
    let (size, merged_in) = (&clusters.size, &clusters.merged_in);
    let mut ranges = Vec::new();
    let (mut lists, mut best, mut stale) = (
        old_lists,
        &mut clusters.best[..base],
        &mut clusters.stale[..base],
    );
    let (mut compacted, mut told) = (
        &mut clusters.compacted[..base],
        &mut clusters.told_in[..base],
    );
    let mut first = 0;
    while first < base {
        let len = step.min(base - first);
        let (l, l_rest) = lists.split_at_mut(len);
        let (b, b_rest) = best.split_at_mut(len);
        let (s, s_rest) = stale.split_at_mut(len);
        let (c, c_rest) = compacted.split_at_mut(len);
        let (t, t_rest) = told.split_at_mut(len);
        ranges.push((first, l, b, s, c, t));
        (lists, best, stale, compacted, told) = (l_rest, b_rest, s_rest, c_rest, t_rest);
        first += len;
    }
    let new_lists = &*new_lists;
    let found: Vec<(Vec<u32>, Vec<u32>)> = ranges
        .into_par_iter()
        .map(|(first, lists, best, stale, compacted, told)| {
            let end = first + lists.len();
            let (mut changed, mut newly_stale) = (Vec::new(), Vec::new());
            for (offset, links) in new_lists.iter().enumerate() {
                let new = (base + offset) as u32;
                for &(other, weight) in links {
                    let o = other as usize;
                    if o < first || o >= end {
                        continue;
                    }
                    let i = o - first;
                    if told[i] != round {
                        // First news of this round: a best partner merged
                        // in it leaves its old best as a bound.
                        told[i] = round;
                        if let Some(old) = best[i]
                            && !stale[i]
                            && (merged_in[old.a as usize] == round
                                || merged_in[old.b as usize] == round)
                        {
                            best[i] = None;
                            stale[i] = true;
                            newly_stale.push(other);
                        }
                    }
                    lists[i].push((new, weight));
                    if lists[i].len() > 2 * compacted[i] + 8 {
                        lists[i].retain(|&(x, _)| merged_in[x as usize] == ALIVE);
                        compacted[i] = lists[i].len();
                    }
                    if stale[i] {
                        continue;
                    }
                    let mean = weight as f64 / (size[o] * size[new as usize]) as f64;
                    let candidate = Candidate::new(mean, other, new);
                    if candidate.similarity >= stop && best[i].is_none_or(|old| candidate > old) {
                        // Noted once a round: its first better pair replaces
                        // none or one with an older cluster, later ones one
                        // with a cluster of this round.
                        if best[i].is_none_or(|old| partner(&old, other) < base as u32) {
                            changed.push(other);
                        }
                        best[i] = Some(candidate);
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
