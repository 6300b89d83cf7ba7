/**
 * The two hypervolume tools of multi-objective TPE (MOTPE: Ozaki et al., "Multiobjective
 * tree-structured Parzen estimator", JAIR 2022; Optuna's `_solve_hssp` and
 * `_calculate_weights_below_for_multi_objective`), every coordinate minimised:
 *
 * - the hypervolume subset selection problem, solved greedily: which k points of one
 *   non-dominated front keep the most hypervolume. It decides which trials of the front that
 *   straddles the good/bad cut join the good group, so the good group spreads along the front
 *   instead of bunching where trials happen to be dense;
 * - each point's exclusive hypervolume contribution, which weighs the good group's kernels.
 *
 * Both take the reference point Optuna derives from the points themselves (`referenceFor`):
 * the worst value of each coordinate pushed out by 10 % of its magnitude, so the extreme points
 * of a front still contribute.
 */
import { hypervolume } from '../../core/multiobjective/hypervolume.ts'

// Optuna's EPS: a zero reference coordinate would give the extreme points no room.
const EPS = 1e-12

/** max(1.1·worst, 0.9·worst) per coordinate (so it lies beyond the worst whatever its sign); 0 becomes EPS. */
export function referenceFor(points: readonly (readonly number[])[]): number[] {
  const m = points[0]?.length ?? 0
  const reference: number[] = []
  for (let j = 0; j < m; j++) {
    let worst = -Infinity
    for (const p of points) worst = Math.max(worst, p[j]!)
    // Kept finite for objectives near the largest double, which the hypervolume refuses.
    const r = Math.min(Math.max(1.1 * worst, 0.9 * worst), Number.MAX_VALUE)
    reference.push(r === 0 ? EPS : r)
  }
  return reference
}

/**
 * Greedy hypervolume subset selection: `k` indices of `points`, in the order picked, each the
 * point adding the most hypervolume to those picked before it. The
 * greedy choice keeps at least 1 − 1/e of the best subset's hypervolume, and its order is
 * incremental, so the first k of a longer selection are the selection of k.
 */
export function greedyHypervolumeSubset(points: readonly (readonly number[])[], k: number, reference: readonly number[]): number[] {
  const n = points.length
  const picked: number[] = []
  const chosen = new Uint8Array(n)
  let current = 0
  // Lazy greedy: a point's gain only shrinks as others join, so a stale upper bound that still
  // beats every other bound is exact once recomputed.
  const bound = new Float64Array(n).fill(Infinity)
  while (picked.length < Math.min(k, n)) {
    let best = -1
    for (;;) {
      let top = -1
      for (let i = 0; i < n; i++) if (!chosen[i] && (top < 0 || bound[i]! > bound[top]!)) top = i
      const gain = hypervolume([...picked.map((i) => points[i]!), points[top]!], reference) - current
      bound[top] = gain
      let stillTop = true
      for (let i = 0; i < n && stillTop; i++) if (!chosen[i] && i !== top && bound[i]! > gain) stillTop = false
      if (stillTop) {
        best = top
        break
      }
    }
    chosen[best] = 1
    picked.push(best)
    current += bound[best]!
  }
  return picked
}

/** Each point's exclusive contribution: the hypervolume lost without it (0 for a dominated point). */
export function hypervolumeContributions(points: readonly (readonly number[])[], reference: readonly number[]): number[] {
  const total = hypervolume(points, reference)
  return points.map((_, i) => Math.max(0, total - hypervolume(points.filter((__, j) => j !== i), reference)))
}
