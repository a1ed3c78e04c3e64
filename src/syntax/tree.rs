//! Decoding arc scores into a dependency tree (Chu-Liu-Edmonds).
//!
//! Picking each word's best head independently can give cycles and several
//! roots; the maximum spanning arborescence never does. Exactly one word is
//! attached to the root by lowering every root arc by a constant larger than
//! any difference in tree scores: every tree then pays it once per root child,
//! so the best tree has one, and it is the best of the single-root trees.

/// Heads of the best tree. `scores[d][h]` is the score of word `d` taking head
/// `h` (row and column 0 are the root; row 0 is ignored). The result has
/// `heads[0] == 0` and, for each word `d >= 1`, its head in `0..n`.
pub fn decode(scores: &[Vec<f64>]) -> Vec<usize> {
    let n = scores.len();
    if n <= 1 {
        return vec![0; n];
    }
    let finite = scores
        .iter()
        .skip(1)
        .flatten()
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let penalty = (hi - lo + 1.0) * n as f64;
    let mut m: Vec<Vec<f64>> = scores
        .iter()
        .map(|row| {
            row.iter()
                .map(|&v| if v.is_finite() { v } else { lo - penalty * 4.0 })
                .collect()
        })
        .collect();
    for (d, row) in m.iter_mut().enumerate().skip(1) {
        row[0] -= penalty;
        row[d] = f64::NEG_INFINITY;
    }
    m[0].fill(f64::NEG_INFINITY);
    m[0][0] = 0.0;
    let mut heads = chu_liu_edmonds(&m);
    heads[0] = 0;
    heads
}

fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// Nodes of one cycle of a head assignment (node 0 is its own head), if any.
fn find_cycle(heads: &[usize]) -> Option<Vec<usize>> {
    let n = heads.len();
    // 0: unvisited, 1: on the current path, 2: done.
    let mut state = vec![0u8; n];
    for start in 1..n {
        let mut path = Vec::new();
        let mut v = start;
        while state[v] == 0 && v != 0 {
            state[v] = 1;
            path.push(v);
            v = heads[v];
        }
        if v != 0 && state[v] == 1 {
            let at = path.iter().position(|&p| p == v).expect("on path");
            return Some(path[at..].to_vec());
        }
        for p in path {
            state[p] = 2;
        }
    }
    None
}

/// The maximum spanning arborescence rooted at 0 of a dense score matrix
/// (`m[d][h]`, with `m[0]` all minus infinity but `m[0][0]`): greedy heads,
/// then one cycle at a time is contracted into a node and the smaller
/// problem solved recursively (the classic formulation, O(n³)).
fn chu_liu_edmonds(m: &[Vec<f64>]) -> Vec<usize> {
    let n = m.len();
    let greedy: Vec<usize> = m.iter().map(|row| argmax(row)).collect();
    let Some(cycle) = find_cycle(&greedy) else {
        return greedy;
    };
    let mut in_cycle = vec![false; n];
    for &c in &cycle {
        in_cycle[c] = true;
    }
    let rest: Vec<usize> = (0..n).filter(|&v| !in_cycle[v]).collect();
    let cycle_score: f64 = cycle.iter().map(|&c| m[c][greedy[c]]).sum();
    // Best way for the cycle to take head `rest[j]`: break it at node `c`.
    let mut enter_score = vec![f64::NEG_INFINITY; rest.len()];
    let mut enter_at = vec![0usize; rest.len()];
    // Best cycle node for `rest[j]` to take as its head.
    let mut leave_score = vec![f64::NEG_INFINITY; rest.len()];
    let mut leave_to = vec![0usize; rest.len()];
    for (j, &r) in rest.iter().enumerate() {
        for &c in &cycle {
            let s = m[c][r] - m[c][greedy[c]] + cycle_score;
            if s > enter_score[j] {
                enter_score[j] = s;
                enter_at[j] = c;
            }
            if m[r][c] > leave_score[j] {
                leave_score[j] = m[r][c];
                leave_to[j] = c;
            }
        }
    }
    let k = rest.len();
    let mut sub = vec![vec![f64::NEG_INFINITY; k + 1]; k + 1];
    for (a, &ra) in rest.iter().enumerate() {
        for (b, &rb) in rest.iter().enumerate() {
            sub[a][b] = m[ra][rb];
        }
        sub[a][k] = leave_score[a];
        sub[k][a] = enter_score[a];
    }
    let contracted = chu_liu_edmonds(&sub);
    let mut heads = greedy.clone();
    for (a, &ra) in rest.iter().enumerate() {
        heads[ra] = if contracted[a] == k {
            leave_to[a]
        } else {
            rest[contracted[a]]
        };
    }
    let outside = contracted[k];
    heads[enter_at[outside]] = rest[outside];
    heads
}

/// Whether `heads` (with `heads[0] == 0`) is a tree over 1..n with one root child.
pub fn is_tree(heads: &[usize]) -> bool {
    let n = heads.len();
    if n <= 1 {
        return true;
    }
    let roots = heads.iter().skip(1).filter(|&&h| h == 0).count();
    roots == 1 && heads.iter().all(|&h| h < n) && find_cycle(heads).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn tree_score(m: &[Vec<f64>], heads: &[usize]) -> f64 {
        (1..m.len()).map(|d| m[d][heads[d]]).sum()
    }

    /// Every head assignment of n words with one root and no cycle.
    fn best_by_brute_force(m: &[Vec<f64>]) -> f64 {
        let n = m.len();
        let mut heads = vec![0usize; n];
        let mut best = f64::NEG_INFINITY;
        loop {
            if is_tree(&heads) {
                best = best.max(tree_score(m, &heads));
            }
            let mut i = 1;
            loop {
                if i == n {
                    return best;
                }
                heads[i] += 1;
                if heads[i] < n {
                    break;
                }
                heads[i] = 0;
                i += 1;
            }
        }
    }

    #[test]
    fn random_scores_always_give_one_rooted_tree() {
        let mut rng = Rng(7);
        for n in 1..40 {
            for _ in 0..5 {
                let m: Vec<Vec<f64>> = (0..=n)
                    .map(|_| (0..=n).map(|_| rng.unit() * 10.0 - 5.0).collect())
                    .collect();
                let heads = decode(&m);
                assert_eq!(heads.len(), n + 1);
                assert!(is_tree(&heads), "{heads:?}");
            }
        }
    }

    #[test]
    fn finds_the_best_tree_on_small_matrices() {
        let mut rng = Rng(11);
        for n in 1..6 {
            for _ in 0..30 {
                let m: Vec<Vec<f64>> = (0..=n)
                    .map(|_| (0..=n).map(|_| (rng.unit() * 5.0).ln()).collect())
                    .collect();
                let heads = decode(&m);
                let got = tree_score(&m, &heads);
                assert!((got - best_by_brute_force(&m)).abs() < 1e-9, "{heads:?}");
            }
        }
    }

    #[test]
    fn greedy_cycle_and_two_roots_are_fixed() {
        let ninf = f64::NEG_INFINITY;
        // Greedy: 1 → 2, 2 → 1 (a cycle); 3 → root.
        let m = vec![
            vec![0.0, ninf, ninf, ninf],
            vec![-3.0, ninf, -0.1, -2.0],
            vec![-4.0, -0.1, ninf, -2.5],
            vec![-0.2, -3.0, -3.0, ninf],
        ];
        let greedy: Vec<usize> = m.iter().skip(1).map(|r| argmax(r)).collect();
        assert_eq!(greedy, [2, 1, 0]);
        let heads = decode(&m);
        assert!(is_tree(&heads));
        assert_eq!(heads, [0, 3, 1, 0]);
        // Greedy: both words on the root.
        let m = vec![
            vec![0.0, 0.0, 0.0],
            vec![-0.1, ninf, -1.0],
            vec![-0.2, -2.0, ninf],
        ];
        // One root: 2 → root, 1 → 2 (-1.2) beats 1 → root, 2 → 1 (-2.1).
        assert_eq!(decode(&m), [0, 2, 0]);
    }
}
