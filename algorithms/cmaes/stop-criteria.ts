/**
 * When a CMA-ES run has nothing more to learn and should restart: the termination criteria of
 * Hansen's tutorial (arXiv:1604.00772, appendix B.3) and of pycma, with tolerances set for the
 * unit box of a hyperparameter space rather than for numerical optimisation to 1e-11, plus one
 * of our own for rounded spaces.
 *
 * - same-point: every sample of the generation decoded to the same legal parameters (ints or
 *   categoricals rounded them together): further generations would evaluate only that point.
 * - numerical: a non-finite number in the distribution.
 * - tolx: σ·max(√C_ii, |p_c,i|) < 1e-9 in every coordinate. Parameters are printed with 15
 *   significant digits; a search narrower than a billionth of the box no longer moves them
 *   meaningfully, and restarting explores instead (pycma: 1e-11 on the user's scale).
 * - tolupsigma: σ·√λ_max > 10: the distribution is wider than ten boxes, so nearly every draw
 *   falls outside and is clipped, and nothing is learned (pycma compares with 1e20·σ0).
 * - condition: cond(C) > 1e14 (pycma's conditioncov).
 * - noeffectaxis / noeffectcoord: adding 0.1σ along a principal axis, or 0.2σ along a coordinate,
 *   leaves the mean unchanged in floating point.
 * - tolfun: the best values of the last ≥ 10 generations and all values of this one lie within
 *   1e-12 (pycma: tolfun 1e-11 and tolfunhist 1e-12).
 * - stagnation: the run's best has not improved for 10 + ⌈30·n/λ⌉ generations (pycma's
 *   tolstagnation waits 100 + 100·n^1.5/λ, longer than most tuning budgets).
 */
import type { CmaRun } from './cma-state.ts'
import { symmetricEigen } from './eigen.ts'

const TOL_X = 1e-9
const TOL_UP_SIGMA = 10
const MAX_CONDITION = 1e14
const TOL_FUN = 1e-12
const MIN_FUN_HISTORY = 10

export type StopReason =
  | 'same-point' | 'numerical' | 'tolx' | 'tolupsigma' | 'condition' | 'noeffectaxis' | 'noeffectcoord' | 'tolfun' | 'stagnation'

/** Generations of best values kept for tolfun, and without improvement before stagnation. */
export function historyLength(dimensions: number, popsize: number): number {
  return 10 + Math.ceil((30 * dimensions) / popsize)
}

export interface GenerationOutcome {
  /** Distinct parameter sets among the generation's λ samples. */
  readonly distinctPoints: number
  /** The generation's values, minimisation-signed; Infinity for failed trials. */
  readonly values: readonly number[]
}

/** Why `run` (just updated) should stop, or undefined to go on. */
export function stopReason(run: CmaRun, outcome: GenerationOutcome): StopReason | undefined {
  const d = run.mean.length
  if (outcome.distinctPoints <= 1) return 'same-point'
  const numbers = [run.sigma, ...run.mean, ...run.pc, ...run.ps, ...run.cov.flat()]
  if (!numbers.every(Number.isFinite) || !(run.sigma > 0)) return 'numerical'

  const diagonal = run.cov.map((row, i) => row[i]!)
  if (diagonal.some((c) => !(c > 0))) return 'numerical'
  if (diagonal.every((c, i) => run.sigma * Math.max(Math.sqrt(c), Math.abs(run.pc[i]!)) < TOL_X)) return 'tolx'

  const eigen = symmetricEigen(run.cov)
  const maxValue = Math.max(...eigen.values)
  const minValue = Math.min(...eigen.values)
  if (run.sigma * Math.sqrt(maxValue) > TOL_UP_SIGMA) return 'tolupsigma'
  if (!(minValue > 0) || maxValue / minValue > MAX_CONDITION) return 'condition'

  for (let j = 0; j < d; j++) {
    const length = 0.1 * run.sigma * Math.sqrt(eigen.values[j]!)
    if (run.mean.every((m, i) => m + length * eigen.vectors[i]![j]! === m)) return 'noeffectaxis'
  }
  if (run.mean.some((m, i) => m + 0.2 * run.sigma * Math.sqrt(diagonal[i]!) === m)) return 'noeffectcoord'

  if (run.recentBest.length >= MIN_FUN_HISTORY && range([...run.recentBest, ...outcome.values]) < TOL_FUN) return 'tolfun'
  if (run.generation - run.bestGeneration >= historyLength(d, run.popsize)) return 'stagnation'
  return undefined
}

function range(values: readonly number[]): number {
  return Math.max(...values) - Math.min(...values)
}
