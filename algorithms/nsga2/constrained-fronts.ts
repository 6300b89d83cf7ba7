/**
 * Fronts under Deb's constrained domination (Deb 2000, "An efficient constraint handling method
 * for genetic algorithms"; NSGA-II's section V): a feasible solution beats every infeasible one,
 * between two infeasible ones the smaller total violation wins, and between feasible ones Pareto
 * dominance decides. So the fronts are the feasible points' non-dominated fronts, followed by
 * the infeasible points grouped by total violation, least first (Optuna's
 * `_constrained_dominates` ordering does the same). Every coordinate minimised.
 */
import { nonDominatedSort } from '../../core/multiobjective/non-dominated-sort.ts'

/** Fronts of indices into `points`; `violations[i]` is point i's total violation (0 when feasible). */
export function constrainedFronts(points: readonly (readonly number[])[], violations: readonly number[]): number[][] {
  const feasible: number[] = []
  const infeasible: number[] = []
  for (let i = 0; i < points.length; i++) (violations[i]! > 0 ? infeasible : feasible).push(i)
  const fronts = nonDominatedSort(feasible.map((i) => points[i]!)).map((front) => front.map((k) => feasible[k]!))
  infeasible.sort((a, b) => violations[a]! - violations[b]! || a - b)
  for (let k = 0; k < infeasible.length; k++) {
    const i = infeasible[k]!
    if (k > 0 && violations[i] === violations[infeasible[k - 1]!]) fronts.at(-1)!.push(i)
    else fronts.push([i])
  }
  return fronts
}
