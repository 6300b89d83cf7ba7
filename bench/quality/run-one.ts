import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { Params } from '../../core/search-space.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { paramsIssue } from '../problems/params-issue.ts'
import type { Problem } from '../problems/problem.ts'
import { problemSearchSpace } from '../problems/problem-search-space.ts'

export interface RunSpec {
  readonly problem: string
  readonly algorithm: string
  readonly settings: readonly RawSetting[]
  readonly seed: number
  readonly budget: number
}

export interface RunOutcome extends RunSpec {
  /** best[n] = lowest objective among the first n + 1 trials; shorter than the budget on error. */
  readonly best: readonly number[]
  /** Parameters of the final incumbent (null if no trial completed). */
  readonly bestParams: Params | null
  /** The whole run: asks, objective and bookkeeping. */
  readonly wallSeconds: number
  /** Why the run stopped early; the run then counts as failed. */
  readonly error?: string
}

// Fixed timestamps keep runs reproducible should an algorithm ever look at them.
const EPOCH_MS = Date.UTC(2026, 0, 1)

/**
 * One sequential study as SUITE.md prescribes: ask one trial, evaluate it, report it, repeat.
 * Each ask goes through askAlgorithm with the full history, exactly as SuggestionService does;
 * the algorithm state is passed through JSON between asks because the service stores it as
 * JSON, so an algorithm relying on state that does not survive that would fail here too.
 * Anything thrown, an invalid point or a non-finite objective ends the run with `error`.
 */
export async function runOne(problem: Problem, spec: RunSpec): Promise<RunOutcome> {
  const space = problemSearchSpace(problem)
  const trials: TrialSnapshot[] = []
  const best: number[] = []
  let bestParams: Params | null = null
  let state: unknown = undefined
  const started = performance.now()
  const finish = (error?: string): RunOutcome => ({
    ...spec, best, bestParams, wallSeconds: (performance.now() - started) / 1000, ...(error === undefined ? {} : { error }),
  })

  for (let n = 0; n < spec.budget; n++) {
    let params: Params
    try {
      const ask = await askAlgorithm({
        algorithmName: spec.algorithm, settings: spec.settings, space, direction: 'minimize', trials, count: 1, seed: spec.seed, state,
      })
      if (ask.suggestions.length === 0) return finish(`trial ${n}: the algorithm gave no suggestion (exhausted)`)
      params = ask.suggestions[0]!
      const issue = paramsIssue(problem, params)
      if (issue) return finish(`trial ${n}: invalid suggestion, ${issue}`)
      state = ask.state === undefined ? undefined : JSON.parse(JSON.stringify(ask.state))
      if (ask.exhausted && n + 1 < spec.budget) return finish(`the algorithm ran dry after ${n + 1} trials`)
    } catch (error) {
      return finish(`trial ${n}: ask threw ${describeError(error)}`)
    }
    let value: number
    try {
      value = problem.evaluate(params)
    } catch (error) {
      return finish(`trial ${n}: objective threw ${describeError(error)} at ${JSON.stringify(params)}`)
    }
    if (!Number.isFinite(value)) return finish(`trial ${n}: objective returned ${value} at ${JSON.stringify(params)}`)
    trials.push({
      id: `trial-${n}`, number: n, name: `${spec.problem}-${n}`, state: 'Succeeded', params, objective: value,
      createdAt: new Date(EPOCH_MS + n * 1000), finishedAt: new Date(EPOCH_MS + n * 1000 + 500),
    })
    if (n === 0 || value < best[n - 1]!) bestParams = params
    best.push(n === 0 ? value : Math.min(best[n - 1]!, value))
  }
  return finish()
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}
