//! Union-find (disjoint sets) with path halving and union by size.

/// Disjoint sets over `0..n`.
#[derive(Clone, Debug)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns whether they were apart.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
        true
    }

    /// The sets with at least `min_size` members, each sorted, ordered by
    /// their smallest member: the same sets always come out the same way.
    pub fn sets(&mut self, min_size: usize) -> Vec<Vec<u32>> {
        let n = self.parent.len();
        let mut by_root: Vec<Vec<u32>> = vec![Vec::new(); n];
        for x in 0..n as u32 {
            let root = self.find(x);
            by_root[root as usize].push(x);
        }
        let mut sets: Vec<Vec<u32>> = by_root
            .into_iter()
            .filter(|s| !s.is_empty() && s.len() >= min_size)
            .collect();
        sets.sort_unstable_by_key(|s| s[0]);
        sets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_lists_sets() {
        let mut uf = UnionFind::new(6);
        assert!(uf.union(4, 1));
        assert!(uf.union(1, 5));
        assert!(!uf.union(5, 4));
        assert!(uf.union(2, 3));
        assert_eq!(uf.sets(2), vec![vec![1, 4, 5], vec![2, 3]]);
        assert_eq!(uf.sets(1).len(), 3);
    }
}
