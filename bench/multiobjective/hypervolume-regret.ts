import { hypervolume } from '../../core/multiobjective/hypervolume.ts'
import type { MultiObjectiveProblem } from './multiobjective-problem.ts'

/** One evaluated trial: its objective vector (minimised) and whether every constraint held. */
export interface EvaluatedPoint {
  readonly values: readonly number[]
  readonly feasible: boolean
}

/**
 * trueHypervolume − hypervolume of the feasible points (against the problem's reference point),
 * clamped at 0: a sampled front can exceed the analytic value by rounding only.
 */
export function hypervolumeRegret(problem: Pick<MultiObjectiveProblem, 'referencePoint' | 'trueHypervolume'>, points: readonly EvaluatedPoint[]): number {
  const feasible = points.filter((p) => p.feasible).map((p) => p.values)
  return Math.max(0, problem.trueHypervolume - hypervolume(feasible, problem.referencePoint))
}
