import { readFileSync } from 'node:fs'
import { getAlgorithm } from '../../algorithms/registry.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import { validateEarlyStopping } from '../../algorithms/early-stopping/early-stopping-registry.ts'
import { lcbenchLike } from '../problems/lcbench-like.ts'
import { problemSearchSpace } from '../problems/problem-search-space.ts'
import { describeMachine, machineLine } from '../report/describe-machine.ts'
import { formatNumber } from '../report/format-number.ts'
import { describeSeeds } from '../quality/parse-seeds.ts'
import { DEFAULT_MULTIFIDELITY_CONFIGS } from './multifidelity-configs.ts'
import type { MultiFidelityConfig } from './multifidelity-configs.ts'
import { buildCell } from './multifidelity-report.ts'
import type { MultiFidelityCell, MultiFidelityReport } from './multifidelity-report.ts'
import { runMultiFidelityOne } from './run-multifidelity-one.ts'
import type { MultiFidelityRun } from './run-multifidelity-one.ts'

export const SUITE_CHECKPOINTS = [405, 810, 2025, 4050] as const

export interface MultiFidelityOptions {
  /** Configuration names; all of DEFAULT_MULTIFIDELITY_CONFIGS if absent. */
  readonly configs?: readonly string[]
  /** Configurations to choose from (tests pass their own). */
  readonly available?: readonly MultiFidelityConfig[]
  readonly seeds: readonly number[]
  /** Epochs per run. */
  readonly budget: number
  readonly checkpoints?: readonly number[]
  readonly command?: string
  readonly onProgress?: (line: string) => void
}

/**
 * SUITE.md's lcbench_like protocol for our configurations: every configuration × seed as one
 * sequential run, one after another in this thread (each run takes well under a second).
 * Bad options throw before any run starts; a run that fails is reported in its cell.
 */
export async function runMultiFidelity(options: MultiFidelityOptions): Promise<MultiFidelityReport> {
  const started = performance.now()
  const machine = describeMachine()
  const available = options.available ?? DEFAULT_MULTIFIDELITY_CONFIGS
  const names = options.configs ?? available.map((c) => c.name)
  const configs = names.map((name) => {
    const config = available.find((c) => c.name === name)
    if (!config) throw new Error(`unknown configuration "${name}"; known: ${available.map((c) => c.name).join(', ')}`)
    return config
  })
  if (!(Number.isSafeInteger(options.budget) && options.budget > 0)) throw new Error(`budget must be a positive integer, got ${options.budget}`)
  const checkpoints = [...(options.checkpoints ?? defaultCheckpoints(options.budget))].sort((a, b) => a - b)
  const bad = checkpoints.find((c) => !(Number.isSafeInteger(c) && c > 0 && c <= options.budget))
  if (bad !== undefined) throw new Error(`checkpoint ${bad} is not an epoch count between 1 and the budget ${options.budget}`)
  for (const config of configs) checkConfig(config)

  const cells: Record<string, MultiFidelityCell> = {}
  for (const config of configs) {
    const runs: MultiFidelityRun[] = []
    for (const seed of options.seeds) {
      let run: MultiFidelityRun
      try {
        run = await runMultiFidelityOne(lcbenchLike, config, seed, options.budget, checkpoints)
      } catch (error) {
        run = { config: config.name, seed, regret: {}, epochs_used: 0, n_trials_started: 0, n_trials_full_fidelity: 0, n_trials_stopped: 0, stop_epoch_histogram: {}, wall_s: 0, error: `threw ${(error as Error).message}` }
      }
      runs.push(run)
      const last = run.regret[String(checkpoints.at(-1))]
      options.onProgress?.(`${config.name} seed ${seed}: ${run.error ? `ERROR ${run.error}` : `regret ${formatNumber(last)} at ${checkpoints.at(-1)} epochs, ${run.n_trials_started} trials`} (${run.wall_s.toFixed(2)} s)`)
    }
    cells[config.name] = buildCell(runs, checkpoints)
  }

  return {
    meta: {
      suite: 'hpo-anchor-v1',
      problem: lcbenchLike.name,
      date: new Date().toISOString(),
      command: options.command ?? 'runMultiFidelity()',
      machine: machineLine(machine),
      machine_detail: machine,
      tunewell: packageVersion(),
      seeds: describeSeeds(options.seeds),
      budget_epochs: options.budget,
      checkpoints,
      global_min: lcbenchLike.globalMin,
      configs: Object.fromEntries(configs.map((c) => [c.name, {
        description: c.description,
        algorithm: c.algorithm,
        settings: Object.fromEntries(c.settings.map((s) => [s.name, s.value])),
        ...(c.earlyStopping ? { early_stopping: { name: c.earlyStopping.name, settings: Object.fromEntries(c.earlyStopping.settings.map((s) => [s.name, s.value])) } } : {}),
        ...(c.optunaPeer ? { optuna_peer: c.optunaPeer } : {}),
      }])),
      runtime_s: (performance.now() - started) / 1000,
      notes: NOTES,
    },
    multi_fidelity: { lcbench_like: cells },
  }
}

/** The suite's checkpoints up to the budget, and the budget. */
export function defaultCheckpoints(budget: number): number[] {
  return [...new Set([...SUITE_CHECKPOINTS.filter((c) => c <= budget), budget])]
}

/** As an experiment's creation would: the algorithm, its settings and the space, and the stopping rule. */
function checkConfig(config: MultiFidelityConfig): void {
  const definition = getAlgorithm(config.algorithm)
  if (!definition) throw new Error(`${config.name}: unknown algorithm "${config.algorithm}"`)
  const parsed = parseSettings(definition, config.settings)
  if (parsed.issues.length > 0) throw new Error(`${config.name}: ${parsed.issues.map((i) => i.message).join('; ')}`)
  const resource = lcbenchLike.resource
  const space = config.settings.some((s) => s.name === 'resource_name')
    ? [...problemSearchSpace(lcbenchLike), { name: resource.name, type: 'int' as const, min: resource.min, max: resource.max, distribution: 'uniform' as const }]
    : problemSearchSpace(lcbenchLike)
  const issues = definition.check?.(space, parsed.settings, { parallelTrialCount: 1 }) ?? []
  if (issues.length > 0) throw new Error(`${config.name}: ${issues.map((i) => i.message).join('; ')}`)
  if (config.earlyStopping) {
    const stopping = validateEarlyStopping(config.earlyStopping.name, config.earlyStopping.settings).issues
    if (stopping.length > 0) throw new Error(`${config.name}: ${stopping.map((i) => i.message).join('; ')}`)
  }
}

const NOTES = [
  'Protocol of SUITE.md (lcbench_like): each reported epoch costs 1 from the budget; a run stops as soon as the budget is spent (an unfinished trial\'s epochs count); regret at E epochs = best loss(x, 81) among trials that reached epoch 81 within the first E epochs, minus the global minimum, clamped at 0.',
  'Sequential, in-process: ask one trial through askAlgorithm (suggestion/ask-algorithm.ts, the code path SuggestionService runs, state passed through JSON), train it epoch by epoch, report every epoch as an intermediate value, tell, ask the next. The seed is the experiment seed.',
  'Early stopping: the rule\'s decide() is called after every reported epoch but the last, with all trials and their intermediate values, as the controller will call it; a stopped trial ends EarlyStopped with the smallest value it reported as objective (Katib\'s min strategy).',
  'hyperband sets the `epochs` parameter (int 1..81, added to the search space) to the rung\'s resource; a promotion names its parent trial (SuggestResult.parents) and resumes from the parent\'s epochs, so it costs only the additional epochs (SUITE.md: promoted trials are not retrained). Other configurations train every trial towards 81 epochs.',
  'Optuna\'s rows: HyperbandPruner and SuccessiveHalvingPruner stop trials (one trial per configuration); our hyperband starts a new trial per promotion, so its "trials started" counts promotions too.',
]

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
}
