/**
 * Multi-objective test problems and a sequential ask/tell loop over a suggester, as the service
 * drives it (per-trial streams, state passed back, every trial told its vector), for the
 * learning tests of the multi-objective algorithms.
 */
import { trialRngs } from '../../core/rng.ts'
import type { Params, SearchSpace } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { hypervolume } from '../../core/multiobjective/hypervolume.ts'
import type { Direction, SuggestRequest, Suggester } from '../../algorithms/suggester.ts'
import { makeTrial } from './make-trial.ts'

export interface MultiObjectiveProblem {
  readonly space: SearchSpace
  /** Every objective minimised. */
  readonly evaluate: (params: Params) => number[]
  readonly reference: readonly number[]
}

/** ZDT1 (Zitzler, Deb & Thiele 2000) with `d` parameters in [0, 1]; its front is f2 = 1 − √f1 at g = 1. */
export function zdt1(d = 10): MultiObjectiveProblem {
  const space: SearchSpace = Array.from({ length: d }, (_, i) => ({ name: `x${i}`, type: 'double' as const, min: 0, max: 1, distribution: 'uniform' as const }))
  return {
    space,
    evaluate: (p) => {
      const x = space.map((q) => p[q.name] as number)
      const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (d - 1)
      return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))]
    },
    reference: [11, 11],
  }
}

/** A request with several objectives (and constraints) on top of the plain fields. */
export function multiObjectiveRequest(base: SuggestRequest, directions: readonly Direction[], constraintCount = 0): SuggestRequest {
  return { ...base, direction: directions[0]!, ...(directions.length >= 2 ? { directions } : {}), ...(constraintCount > 0 ? { constraintCount } : {}) }
}

/** A succeeded trial with its objective vector (and violations). */
export function vectorTrial(number: number, params: Params, values: readonly number[], constraints?: readonly number[]): TrialSnapshot {
  return makeTrial(number, params, { objective: values[0]!, values, ...(constraints ? { constraints } : {}) })
}

/** Runs `budget` sequential trials and returns the hypervolume of what was found. */
export async function runHypervolume(suggester: Suggester, problem: MultiObjectiveProblem, budget: number, seed: number): Promise<number> {
  const trials: TrialSnapshot[] = []
  const found: number[][] = []
  let state: unknown
  const directions: Direction[] = problem.reference.map(() => 'minimize')
  for (let n = 0; n < budget; n++) {
    const streams = trialRngs(seed, n)
    const result = await suggester.suggest({
      space: problem.space, direction: 'minimize', directions, trials, trialCount: n, count: 1,
      rng: streams.streamOf(n), suggestionRng: (i) => streams.streamOf(n + i), state,
    })
    state = result.state
    const params = result.suggestions[0]!
    const values = problem.evaluate(params)
    found.push(values)
    trials.push(vectorTrial(n, params, values))
  }
  return hypervolume(found, problem.reference)
}
