import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { EarlyStopper } from '../../algorithms/early-stopping/early-stopper.ts'
import { createEarlyStopper } from '../../algorithms/early-stopping/early-stopping-registry.ts'
import type { Parameter, Params } from '../../core/search-space.ts'
import type { IntermediateValue, TrialSnapshot, TrialState } from '../../core/trial.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import { paramsIssue } from '../problems/params-issue.ts'
import type { MultiFidelityProblem } from '../problems/problem.ts'
import { problemSearchSpace } from '../problems/problem-search-space.ts'
import type { MultiFidelityConfig } from './multifidelity-configs.ts'

export interface MultiFidelityRun {
  readonly config: string
  readonly seed: number
  /** Regret at each checkpoint (epochs, as a string), clamped at 0; null: no trial had reached full fidelity. */
  readonly regret: Readonly<Record<string, number | null>>
  readonly epochs_used: number
  readonly n_trials_started: number
  readonly n_trials_full_fidelity: number
  readonly n_trials_stopped: number
  /** Epoch at which each trial ended (stopped, finished or promoted away), counted. */
  readonly stop_epoch_histogram: Readonly<Record<string, number>>
  readonly wall_s: number
  readonly error?: string
}

const EPOCH_MS = Date.UTC(2026, 0, 1)

interface MutableTrial {
  id: string
  number: number
  name: string
  state: TrialState
  params: Params
  objective?: number
  intermediate: IntermediateValue[]
  createdAt: Date
  /** Epochs of training behind its last report, parent's included. */
  reached: number
}

/**
 * One sequential run of SUITE.md's lcbench_like protocol: ask one trial, train it epoch by epoch
 * (each reported epoch costs one from the budget), let the stopping rule judge every report, tell,
 * ask the next, until the budget is spent. A suggestion that names a parent trial (hyperband's
 * promotion) resumes from the parent's epochs instead of retraining. Asks go through askAlgorithm
 * with the algorithm state passed through JSON, as the service stores it.
 */
export async function runMultiFidelityOne(
  problem: MultiFidelityProblem,
  config: MultiFidelityConfig,
  seed: number,
  budget: number,
  checkpoints: readonly number[],
): Promise<MultiFidelityRun> {
  const started = performance.now()
  const resourceName = settingValue(config.settings, 'resource_name')
  const resourceParam: Parameter = { name: problem.resource.name, type: 'int', min: problem.resource.min, max: problem.resource.max, distribution: 'uniform' }
  const setsResource = resourceName === problem.resource.name
  const space = setsResource ? [...problemSearchSpace(problem), resourceParam] : problemSearchSpace(problem)
  const stopper: EarlyStopper | undefined = config.earlyStopping ? createEarlyStopper(config.earlyStopping.name, config.earlyStopping.settings) : undefined
  const trials: MutableTrial[] = []
  const fullFidelity: { epochs: number; loss: number }[] = []
  const histogram: Record<string, number> = {}
  let epochs = 0
  let stopped = 0
  let state: unknown = undefined
  let error: string | undefined

  const finish = (): MultiFidelityRun => ({
    config: config.name,
    seed,
    regret: Object.fromEntries(checkpoints.map((c) => [String(c), regretAt(fullFidelity, c, problem.globalMin)])),
    epochs_used: epochs,
    n_trials_started: trials.length,
    n_trials_full_fidelity: fullFidelity.length,
    n_trials_stopped: stopped,
    stop_epoch_histogram: histogram,
    wall_s: (performance.now() - started) / 1000,
    ...(error === undefined ? {} : { error }),
  })

  while (epochs < budget) {
    const ask = await askAlgorithm({
      algorithmName: config.algorithm, settings: config.settings, space, direction: 'minimize', trials, count: 1, seed, state,
    })
    state = ask.state === undefined ? undefined : JSON.parse(JSON.stringify(ask.state))
    const params = ask.suggestions[0]
    if (!params) {
      error = ask.exhausted ? `the algorithm ran dry after ${trials.length} trials and ${epochs} epochs` : 'no suggestion although no trial is running'
      break
    }
    const problemParams = setsResource ? withoutKey(params, problem.resource.name) : params
    const issue = paramsIssue(problem, problemParams)
    if (issue) {
      error = `trial ${trials.length}: invalid suggestion, ${issue}`
      break
    }
    const target = setsResource ? Number(params[problem.resource.name]) : problem.resource.max
    const parentName = ask.parents?.[0] ?? null
    const parent = parentName === null ? undefined : trials.find((t) => t.name === parentName)
    const trial: MutableTrial = {
      id: `trial-${trials.length}`, number: trials.length, name: `${problem.name}-${trials.length}`, state: 'Running',
      params, intermediate: [], createdAt: new Date(EPOCH_MS + trials.length * 1000), reached: parent?.reached ?? 0,
    }
    trials.push(trial)
    while (trial.reached < target && epochs < budget) {
      epochs++
      trial.reached++
      const value = problem.loss(problemParams, trial.reached)
      trial.intermediate.push({ step: trial.reached, value })
      if (trial.reached === problem.resource.max) fullFidelity.push({ epochs, loss: value })
      if (stopper && trial.reached < target && stopper.decide({ trial, trials, direction: 'minimize' }).stop) {
        trial.state = 'EarlyStopped'
        stopped++
        break
      }
    }
    if (trial.intermediate.length === 0) trial.intermediate.push({ step: trial.reached, value: problem.loss(problemParams, trial.reached) })
    // Katib's default strategy for a minimised objective: the smallest value reported.
    trial.objective = Math.min(...trial.intermediate.map((p) => p.value))
    if (trial.state === 'Running' && trial.reached >= target) trial.state = 'Succeeded'
    histogram[String(trial.reached)] = (histogram[String(trial.reached)] ?? 0) + 1
  }
  return finish()
}

/** Best full-fidelity loss within the first `epochs` epochs, minus the global minimum. */
function regretAt(full: readonly { epochs: number; loss: number }[], epochs: number, globalMin: number): number | null {
  let best = Infinity
  for (const point of full) if (point.epochs <= epochs && point.loss < best) best = point.loss
  return best === Infinity ? null : Math.max(0, best - globalMin)
}

function settingValue(settings: readonly RawSetting[], name: string): string | undefined {
  return settings.find((s) => s.name === name)?.value
}

function withoutKey(params: Params, key: string): Params {
  const { [key]: _, ...rest } = params
  return rest
}
