/**
 * A multi-objective benchmark problem, in the parameter format of bench/problems (problem.ts):
 *
 * - `evaluate(params)` returns one value per objective, every one minimised;
 * - `referencePoint` bounds the hypervolume (one coordinate per objective) and
 *   `trueHypervolume` is the hypervolume of the true (feasible) Pareto front against it, so
 *   hypervolume regret = trueHypervolume − hypervolume of the feasible trials found;
 * - a constrained problem also has `constraints(params)`: one violation per constraint, feasible
 *   when every one is <= 0 (Optuna's convention, as the experiment's `constraints` give them to
 *   the algorithms). Infeasible trials count for nothing in the hypervolume.
 *
 * A `--problems FILE.mjs` module exports `problems`, an array of such objects.
 */
import type { ProblemParam, ProblemParams } from '../problems/problem.ts'

export interface MultiObjectiveProblem {
  readonly name: string
  readonly params: readonly ProblemParam[]
  /** Number of objectives (>= 2). */
  readonly objectives: number
  /** Deterministic; one value per objective, all minimised. */
  evaluate(params: ProblemParams): number[]
  readonly referencePoint: readonly number[]
  readonly trueHypervolume: number
  /** Number of constraints; 0 or absent without constraints. */
  readonly constraintCount?: number
  /** Violations (<= 0 feasible), `constraintCount` of them. */
  constraints?(params: ProblemParams): number[]
}

/** `count` parameters x1..xcount, each a double in [0, 1]. */
export function unitParams(count: number): ProblemParam[] {
  return Array.from({ length: count }, (_, i) => ({ name: `x${i + 1}`, type: 'double', low: 0, high: 1 }))
}

/** x1..xn in order. */
export function vectorOf(params: ProblemParams, count: number): number[] {
  return Array.from({ length: count }, (_, i) => params[`x${i + 1}`] as number)
}
