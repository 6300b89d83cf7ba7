import { createRng } from '../../core/rng.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { problemSearchSpace } from '../problems/problem-search-space.ts'
import { sampleParams } from '../../algorithms/sample-parameter.ts'
import { quantile } from '../report/quantile.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import type { MultiObjectiveProblem } from './multiobjective-problem.ts'

export interface AskLatency {
  readonly problem: string
  readonly trials: number
  readonly repeats: number
  readonly median_ms: number
  readonly min_ms: number
  readonly max_ms: number
}

/**
 * How long one ask takes with `trials` finished trials in the history (random points of the
 * problem, evaluated): the cost a long multi-objective experiment pays per new trial. Each
 * repeat is a cold ask (no state from a previous call), the worst case after a restart.
 */
export async function measureAskLatency(problem: MultiObjectiveProblem, algorithm: string, settings: readonly RawSetting[], trials: number, repeats: number): Promise<AskLatency> {
  const space = problemSearchSpace(problem)
  const rng = createRng(12345)
  const constraintCount = problem.constraintCount ?? 0
  const history: TrialSnapshot[] = Array.from({ length: trials }, (_, n) => {
    const params = sampleParams(space, rng)
    const values = problem.evaluate(params)
    return {
      id: `t${n}`, number: n, name: `latency-${n}`, state: 'Succeeded', params, objective: values[0]!, values,
      createdAt: new Date(Date.UTC(2026, 0, 1) + n * 1000),
      ...(constraintCount > 0 ? { constraints: problem.constraints!(params) } : {}),
    }
  })
  const directions = Array.from({ length: problem.objectives }, () => 'minimize' as const)
  const times: number[] = []
  for (let r = 0; r < repeats; r++) {
    const started = performance.now()
    await askAlgorithm({
      algorithmName: algorithm, settings, space, direction: directions[0]!, directions,
      ...(constraintCount > 0 ? { constraintCount } : {}), trials: history, count: 1, seed: r, state: undefined,
    })
    times.push(performance.now() - started)
  }
  return { problem: problem.name, trials, repeats, median_ms: quantile(times, 0.5), min_ms: Math.min(...times), max_ms: Math.max(...times) }
}
