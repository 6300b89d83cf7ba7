import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { Params } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { paramsIssue } from '../problems/params-issue.ts'
import { problemSearchSpace } from '../problems/problem-search-space.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { hypervolumeRegret } from './hypervolume-regret.ts'
import type { EvaluatedPoint } from './hypervolume-regret.ts'
import type { MultiObjectiveProblem } from './multiobjective-problem.ts'

export interface MultiObjectiveRunSpec {
  readonly problem: string
  readonly algorithm: string
  readonly settings: readonly RawSetting[]
  readonly seed: number
  readonly budget: number
  /** Trial counts at which the hypervolume regret is taken (<= budget). */
  readonly checkpoints: readonly number[]
}

export interface MultiObjectiveRunOutcome extends MultiObjectiveRunSpec {
  /** Hypervolume regret after each checkpoint's trial count; missing past an error. */
  readonly hvRegret: Readonly<Record<string, number>>
  readonly feasibleTrials: number
  readonly wallSeconds: number
  readonly error?: string
}

const EPOCH_MS = Date.UTC(2026, 0, 1)

/**
 * One sequential study: ask one trial with the whole history (as bench/quality/run-one.ts, the
 * state passed through JSON as the service stores it), evaluate it, record it as a Succeeded
 * trial with `values` (all objectives, minimised, so raw = minimised here), `objective` its
 * first, and `constraints` (violations) on constrained problems. Any throw, invalid point or
 * non-finite value ends the run with `error`.
 */
export async function runMultiObjectiveOne(problem: MultiObjectiveProblem, spec: MultiObjectiveRunSpec): Promise<MultiObjectiveRunOutcome> {
  const space = problemSearchSpace(problem)
  const directions = Array.from({ length: problem.objectives }, () => 'minimize' as const)
  const constraintCount = problem.constraintCount ?? 0
  const trials: TrialSnapshot[] = []
  const points: EvaluatedPoint[] = []
  const hvRegret: Record<string, number> = {}
  let state: unknown = undefined
  const started = performance.now()
  const finish = (error?: string): MultiObjectiveRunOutcome => ({
    ...spec, hvRegret, feasibleTrials: points.filter((p) => p.feasible).length,
    wallSeconds: (performance.now() - started) / 1000, ...(error === undefined ? {} : { error }),
  })
  for (let n = 0; n < spec.budget; n++) {
    let params: Params
    try {
      const ask = await askAlgorithm({
        algorithmName: spec.algorithm, settings: spec.settings, space, direction: directions[0]!, directions,
        ...(constraintCount > 0 ? { constraintCount } : {}), trials, count: 1, seed: spec.seed, state,
      })
      if (ask.suggestions.length === 0) return finish(`trial ${n}: the algorithm gave no suggestion (exhausted)`)
      params = ask.suggestions[0]!
      const issue = paramsIssue(problem, params)
      if (issue) return finish(`trial ${n}: invalid suggestion, ${issue}`)
      state = ask.state === undefined ? undefined : JSON.parse(JSON.stringify(ask.state))
    } catch (error) {
      return finish(`trial ${n}: ask threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
    }
    const values = problem.evaluate(params)
    const violations = constraintCount > 0 ? problem.constraints!(params) : []
    if (values.length !== problem.objectives || !values.every(Number.isFinite)) return finish(`trial ${n}: objectives ${JSON.stringify(values)} at ${JSON.stringify(params)}`)
    if (violations.length !== constraintCount || !violations.every(Number.isFinite)) return finish(`trial ${n}: constraints ${JSON.stringify(violations)} at ${JSON.stringify(params)}`)
    trials.push({
      id: `trial-${n}`, number: n, name: `${spec.problem}-${n}`, state: 'Succeeded', params, objective: values[0]!, values,
      ...(constraintCount > 0 ? { constraints: violations } : {}),
      createdAt: new Date(EPOCH_MS + n * 1000), finishedAt: new Date(EPOCH_MS + n * 1000 + 500),
    })
    points.push({ values, feasible: violations.every((v) => v <= 0) })
    if (spec.checkpoints.includes(n + 1)) hvRegret[String(n + 1)] = hypervolumeRegret(problem, points)
  }
  return finish()
}
