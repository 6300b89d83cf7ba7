/**
 * Fronts under Deb's constrained domination (Deb 2000, "An efficient constraint handling method
 * for genetic algorithms"; NSGA-II's section V): a feasible solution beats every infeasible one,
 * between two infeasible ones the smaller total violation wins, and between feasible ones Pareto
 * dominance decides. So the fronts are the feasible points' non-dominated fronts, followed by
 * the infeasible points grouped by total violation, least first (Optuna's
 * `_constrained_dominates` ordering does the same). Every coordinate minimised.
 */
import { leadingFronts } from '../leading-fronts.ts'

/**
 * Fronts of indices into `points`; `violations[i]` is point i's total violation (0 when
 * feasible). Only as many feasible fronts as hold `atLeast` points (all by default): selection
 * needs no more. The infeasible groups follow only when the feasible points are too few.
 */
export function constrainedFronts(points: readonly (readonly number[])[], violations: readonly number[], atLeast = points.length): number[][] {
  const feasible: number[] = []
  const infeasible: number[] = []
  for (let i = 0; i < points.length; i++) (violations[i]! > 0 ? infeasible : feasible).push(i)
  const fronts = leadingFronts(feasible.map((i) => points[i]!), atLeast).map((front) => front.map((k) => feasible[k]!))
  if (feasible.length >= atLeast) return fronts
  infeasible.sort((a, b) => violations[a]! - violations[b]! || a - b)
  for (let k = 0; k < infeasible.length; k++) {
    const i = infeasible[k]!
    if (k > 0 && violations[i] === violations[infeasible[k - 1]!]) fronts.at(-1)!.push(i)
    else fronts.push([i])
  }
  return fronts
}
