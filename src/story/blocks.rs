//! Blocks: the groups of units that are clustered together, each small
//! enough for a full distance matrix.
//!
//! Units linked by an edge (a cosine at the floor or above) are joined into
//! connected components. A component of at most `max_block` units is a
//! block as it is, and clustering it alone is exact (see [`super`]). A
//! larger one is rebuilt from its strongest links down, leaving out every
//! link that would make a block larger than `max_block`: the cut falls on
//! the weakest links, between loosely related articles rather than through
//! a story. (Splitting with k-means on projected vectors, the previous way,
//! cut stories in two: ECB+ clustered inside Reuters lost 0.22 of B-cubed
//! F1 to it; see docs/design.md.)

use crate::unionfind::UnionFind;

/// The blocks of `units` units joined by `edges` (unit, unit, cosine;
/// each pair at most once): each sorted, ordered by their smallest unit,
/// none larger than `max_block`. The order of `edges` does not matter.
pub fn blocks(units: usize, edges: &[(u32, u32, f32)], max_block: usize) -> Vec<Vec<u32>> {
    let mut components = UnionFind::new(units);
    for &(a, b, _) in edges {
        components.union(a, b);
    }
    let oversized: Vec<bool> = (0..units as u32)
        .map(|unit| components.size_of(unit) > max_block)
        .collect();
    if !oversized.contains(&true) {
        return components.sets(1);
    }

    // Rebuild the oversized components, strongest links first (ties by
    // units, so the same corpus always gives the same blocks).
    let mut links: Vec<&(u32, u32, f32)> = edges
        .iter()
        .filter(|(a, _, _)| oversized[*a as usize])
        .collect();
    links.sort_unstable_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut blocks = UnionFind::new(units);
    for &(a, b, _) in edges {
        if !oversized[a as usize] {
            blocks.union(a, b);
        }
    }
    for &&(a, b, _) in &links {
        if blocks.find(a) != blocks.find(b) && blocks.size_of(a) + blocks.size_of(b) <= max_block {
            blocks.union(a, b);
        }
    }
    blocks.sets(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_components_are_blocks_as_they_are() {
        let edges = [(0, 1, 0.2), (1, 2, 0.9), (3, 4, 0.5)];
        assert_eq!(
            blocks(6, &edges, 3),
            vec![vec![0, 1, 2], vec![3, 4], vec![5]]
        );
    }

    #[test]
    fn large_components_are_cut_at_their_weakest_links() {
        // Two tight triangles joined by one weak link, and a chain of
        // middling links: with room for three units a block, the weak
        // link is the one left out.
        let edges = [
            (0, 1, 0.9),
            (1, 2, 0.8),
            (0, 2, 0.85),
            (2, 3, 0.3),
            (3, 4, 0.9),
            (4, 5, 0.8),
            (3, 5, 0.7),
        ];
        assert_eq!(blocks(6, &edges, 3), vec![vec![0, 1, 2], vec![3, 4, 5]]);
        // With room for all, one block.
        assert_eq!(blocks(6, &edges, 6), vec![vec![0, 1, 2, 3, 4, 5]]);
    }

    #[test]
    fn no_block_is_larger_than_the_limit() {
        // A chain of 50 units, links growing weaker along it.
        let edges: Vec<(u32, u32, f32)> = (0..49)
            .map(|i| (i, i + 1, 1.0 - i as f32 / 100.0))
            .collect();
        let found = blocks(50, &edges, 8);
        assert!(found.iter().all(|b| b.len() <= 8));
        assert_eq!(found.iter().map(Vec::len).sum::<usize>(), 50);
        // The strongest links come first: the first block is the chain's head.
        assert_eq!(found[0], (0..8).collect::<Vec<u32>>());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 128,
            failure_persistence: None,
            ..Default::default()
        })]

        /// Blocks partition the units, none is larger than the limit, every
        /// link inside a block joins two units of one component, and a
        /// component within the limit is one block, whatever the order of
        /// the edges.
        #[test]
        fn blocks_partition_components_within_the_limit(
            links in proptest::collection::vec((0u32..30, 0u32..30, 0.0f32..1.0), 0..80),
            max_block in 1usize..12,
            rotate in 0usize..80,
        ) {
            let units = 30;
            let edges: Vec<(u32, u32, f32)> =
                links.into_iter().filter(|(a, b, _)| a < b).collect();
            let found = blocks(units, &edges, max_block);
            let mut block_of = vec![usize::MAX; units];
            for (i, block) in found.iter().enumerate() {
                proptest::prop_assert!(block.len() <= max_block);
                for &u in block {
                    proptest::prop_assert_eq!(block_of[u as usize], usize::MAX);
                    block_of[u as usize] = i;
                }
            }
            proptest::prop_assert!(block_of.iter().all(|&b| b != usize::MAX));

            let mut components = UnionFind::new(units);
            for &(a, b, _) in &edges {
                components.union(a, b);
            }
            for component in components.sets(1) {
                if component.len() <= max_block {
                    proptest::prop_assert!(found.contains(&component));
                }
            }

            let mut reordered = edges.clone();
            if !reordered.is_empty() {
                let by = rotate % reordered.len();
                reordered.rotate_left(by);
            }
            reordered.reverse();
            proptest::prop_assert_eq!(blocks(units, &reordered, max_block), found);
        }
    }
}
