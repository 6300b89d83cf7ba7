import { getNasAlgorithm } from '../../algorithms/nas/nas-registry.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { Architecture } from '../../core/nas/architecture-space.ts'
import { describeMachine } from '../report/describe-machine.ts'
import type { MachineDescription } from '../report/describe-machine.ts'
import { summarize } from '../report/summarize.ts'
import type { Summary } from '../report/summarize.ts'
import { enasCpuSpace } from './enas-cpu-space.ts'
import { runNasOne } from './run-nas-one.ts'
import type { NasRunOutcome } from './run-nas-one.ts'
import { ACCURACY_BEST, surrogateAccuracy } from './surrogate-accuracy.ts'
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
  readonly wall_s: number
  readonly errors: readonly string[]
}

export interface RunNasOptions {
  readonly algorithms?: readonly string[]
  readonly seeds: readonly number[]
  readonly budgets: readonly number[]
  readonly parallel: number
  readonly layers: number
  readonly settings: Readonly<Record<string, readonly RawSetting[]>>
  readonly command: string
  readonly onProgress?: (line: string) => void
}

/** The algorithms run by default: random (the baseline), evolution, and enas once it is registered. */
export const DEFAULT_NAS_ALGORITHMS: readonly string[] = ['random', 'evolution', 'enas']

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
  const algorithms: Record<string, AlgorithmResult> = {}
  for (const name of requested.filter((n) => !unknown.includes(n))) {
    const settings = options.settings[name] ?? []
    const algorithmStarted = performance.now()
    const outcomes: NasRunOutcome[] = []
    for (const seed of options.seeds) {
      const outcome = await runNasOne(space, (a) => surrogateAccuracy(space, a, extremes), { algorithm: name, settings, seed, budget, parallel: options.parallel })
      options.onProgress?.(`${name} seed ${seed}: ${outcome.error ?? `best accuracy ${outcome.best.at(-1)!.toFixed(4)}`}`)
      outcomes.push(outcome)
    }
    algorithms[name] = {
      settings,
      regret: Object.fromEntries(options.budgets.map((b) => [String(b), summarize(outcomes.map((o) => o.error === undefined ? ACCURACY_BEST - o.best[b - 1]! : null))])),
      ask_ms: Object.fromEntries(LATENCY_TRIALS.filter((t) => t <= budget).map((t) => [String(t), summarize(outcomes.map((o) => o.askMs[t - 1] ?? null))])),
      wall_s: (performance.now() - algorithmStarted) / 1000,
      errors: outcomes.flatMap((o) => o.error === undefined ? [] : [`seed ${o.seed}: ${o.error}`]),
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
      layers: options.layers,
      operations: space.operations.length,
      best_accuracy: ACCURACY_BEST,
      best_architecture: extremes.best,
      missing: unknown,
    },
    algorithms,
  }
}
