import { getNasAlgorithm } from '../../algorithms/nas/nas-registry.ts'
import { validateNasAlgorithm } from '../../algorithms/nas/validate-nas-algorithm.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { Architecture } from '../../core/nas/architecture-space.ts'
import { describeMachine } from '../report/describe-machine.ts'
import type { MachineDescription } from '../report/describe-machine.ts'
import { summarize } from '../report/summarize.ts'
import type { Summary } from '../report/summarize.ts'
import { enasCpuNasConfig, enasCpuSpace } from './enas-cpu-space.ts'
import { runNasTasks } from './run-nas-tasks.ts'
import type { NasTask } from './run-nas-task.ts'
import { ACCURACY_BEST } from './surrogate-accuracy.ts'
import { surrogateExtremes } from './surrogate-extremes.ts'

/** Trials at which the ask latency is reported (those within the budget). */
export const LATENCY_TRIALS: readonly number[] = [10, 100, 300]

export interface NasReport {
  readonly meta: {
    readonly command: string
    readonly date: string
    readonly machine: MachineDescription
    readonly runtime_s: number
    readonly seeds: readonly number[]
    readonly budgets: readonly number[]
    readonly parallel: number
    readonly refill: 'all' | 'one'
    readonly workers: number
    readonly layers: number
    readonly operations: number
    readonly best_accuracy: number
    readonly best_architecture: Architecture
    /** Registered algorithms that were not run because they are not registered (enas before it lands). */
    readonly missing: readonly string[]
  }
  readonly algorithms: Readonly<Record<string, AlgorithmResult>>
}

export interface AlgorithmResult {
  readonly settings: readonly RawSetting[]
  /** Per budget: regret = best accuracy possible − best accuracy found, per seed. */
  readonly regret: Readonly<Record<string, Summary>>
  /** Per trial of LATENCY_TRIALS: ms of the ask that created it, per seed. */
  readonly ask_ms: Readonly<Record<string, Summary>>
  /** Seconds of each seed's whole run (asks and surrogate). */
  readonly run_s: Summary
  readonly errors: readonly string[]
}

export interface RunNasOptions {
  readonly algorithms?: readonly string[]
  readonly seeds: readonly number[]
  readonly budgets: readonly number[]
  readonly parallel: number
  readonly refill: 'all' | 'one'
  /** Worker threads; 0 runs in this thread. */
  readonly workers: number
  readonly layers: number
  readonly settings: Readonly<Record<string, readonly RawSetting[]>>
  readonly command: string
  readonly onProgress?: (line: string) => void
}

/** The algorithms run by default: random (the baseline), evolution, and enas once it is registered. */
export const DEFAULT_NAS_ALGORITHMS: readonly string[] = ['random', 'evolution', 'enas']

/**
 * Settings used where `--settings` gives none for the algorithm. enas runs with what docs/nas.md
 * recommends for a few hundred trials rather than Katib's defaults, which learn too slowly to
 * show at 300 trials and cost 50 controller steps per result (about 25 minutes of CPU for the
 * 20 seeds); `--settings enas:controller_train_steps=50,...` measures those.
 */
export const DEFAULT_BENCH_SETTINGS: Readonly<Record<string, readonly RawSetting[]>> = {
  enas: [
    { name: 'controller_learning_rate', value: '0.02' },
    { name: 'controller_baseline_decay', value: '0.9' },
    { name: 'controller_train_steps', value: '2' },
  ],
}

/** Every algorithm × seed, one run each to the largest budget, summarized per budget. */
export async function runNas(options: RunNasOptions): Promise<NasReport> {
  const started = performance.now()
  const machine = describeMachine()
  const space = enasCpuSpace(options.layers)
  const extremes = surrogateExtremes(space)
  const requested = options.algorithms ?? DEFAULT_NAS_ALGORITHMS
  const unknown = requested.filter((name) => getNasAlgorithm(name) === undefined)
  if (options.algorithms !== undefined && unknown.length > 0) throw new Error(`--algorithms: no NAS algorithm named ${unknown.join(', ')}`)
  const budget = Math.max(...options.budgets)
  const nasConfig = enasCpuNasConfig(options.layers)
  const runnable = requested.filter((n) => !unknown.includes(n))
  const settingsOf = (name: string): readonly RawSetting[] => options.settings[name] ?? DEFAULT_BENCH_SETTINGS[name] ?? []
  // What validate would refuse in an Experiment is refused here before anything runs.
  for (const name of runnable) {
    const { issues } = validateNasAlgorithm(name, settingsOf(name), nasConfig, { maxTrialCount: budget, parallelTrialCount: options.parallel })
    if (issues.length > 0) throw new Error(`--settings for ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
  }
  const tasks: NasTask[] = runnable.flatMap((name) => options.seeds.map((seed) => ({
    layers: options.layers,
    extremes,
    spec: { algorithm: name, settings: settingsOf(name), seed, budget, parallel: options.parallel, refill: options.refill },
  })))
  const outcomes = await runNasTasks(tasks, options.workers, (o) => options.onProgress?.(`${o.algorithm} seed ${o.seed}: ${o.error ?? `best accuracy ${o.best.at(-1)!.toFixed(4)}`}`))
  const algorithms: Record<string, AlgorithmResult> = {}
  for (const name of runnable) {
    const mine = outcomes.filter((o) => o.algorithm === name)
    algorithms[name] = {
      settings: settingsOf(name),
      regret: Object.fromEntries(options.budgets.map((b) => [String(b), summarize(mine.map((o) => o.error === undefined ? ACCURACY_BEST - o.best[b - 1]! : null))])),
      ask_ms: Object.fromEntries(LATENCY_TRIALS.filter((t) => t <= budget).map((t) => [String(t), summarize(mine.map((o) => o.askMs[t - 1] ?? null))])),
      run_s: summarize(mine.map((o) => o.wallSeconds)),
      errors: mine.flatMap((o) => o.error === undefined ? [] : [`seed ${o.seed}: ${o.error}`]),
    }
  }
  return {
    meta: {
      command: options.command,
      date: new Date().toISOString(),
      machine,
      runtime_s: (performance.now() - started) / 1000,
      seeds: options.seeds,
      budgets: options.budgets,
      parallel: options.parallel,
      refill: options.refill,
      workers: options.workers,
      layers: options.layers,
      operations: space.operations.length,
      best_accuracy: ACCURACY_BEST,
      best_architecture: extremes.best,
      missing: unknown,
    },
    algorithms,
  }
}
