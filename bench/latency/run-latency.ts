import { getAlgorithm, PLANNED_ALGORITHM_NAMES, algorithmNames } from '../../algorithms/registry.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import type { TrialSnapshot } from '../../core/trial.ts'
import { askAlgorithm } from '../../suggestion/ask-algorithm.ts'
import type { AskResult } from '../../suggestion/ask-algorithm.ts'
import { hartmann6 } from '../problems/hartmann6.ts'
import { problemSearchSpace } from '../problems/problem-search-space.ts'
import { describeMachine, machineLine } from '../report/describe-machine.ts'
import type { AnchorResults } from '../report/load-anchor.ts'
import { HISTORY_SEED, latencyHistory } from './latency-history.ts'
import { latencyEntry } from './latency-entry.ts'
import type { LatencyEntry, LatencyReport } from './latency-report.ts'
import { DEFAULT_LATENCY_ALGORITHMS, defaultLatencyN } from './latency-targets.ts'
import { timeAsk } from './time-ask.ts'

export interface LatencyOptions {
  /** Default: tpe, multivariate-tpe, bayesianoptimization and random, those registered. */
  readonly algorithms?: readonly string[]
  /** History sizes for every algorithm; default per algorithm (defaultLatencyN). */
  readonly n?: readonly number[]
  /** Timed calls per (algorithm, N); SUITE.md asks for at least 30. */
  readonly reps: number
  readonly warmups?: number
  readonly settings?: Readonly<Record<string, readonly RawSetting[]>>
  readonly anchor?: AnchorResults
  readonly command?: string
  readonly onProgress?: (line: string) => void
}

/**
 * SUITE.md's latency protocol for our algorithms: hartmann6, a history of N completed random
 * trials, then warm-up asks and timed asks through askAlgorithm (count 1), each seeing exactly
 * the N trials. State passes from one ask to the next, as in a running experiment.
 */
export async function runLatency(options: LatencyOptions): Promise<LatencyReport> {
  const started = performance.now()
  // Before the runs: the load average says what else was competing for the cores.
  const machine = describeMachine()
  const warmups = options.warmups ?? 3
  const requested = options.algorithms ?? DEFAULT_LATENCY_ALGORITHMS
  const skipped: { algorithm: string; reason: string }[] = []
  const algorithms: string[] = []
  for (const name of requested) {
    const definition = getAlgorithm(name)
    if (definition) {
      const issues = parseSettings(definition, options.settings?.[name] ?? []).issues
      if (issues.length > 0) throw new Error(`--settings for ${name}: ${issues.map((i) => i.message).join('; ')}`)
      algorithms.push(name)
    } else if (PLANNED_ALGORITHM_NAMES.includes(name)) skipped.push({ algorithm: name, reason: 'not registered in this build yet' })
    else throw new Error(`unknown algorithm "${name}"; registered: ${algorithmNames().join(', ')}`)
  }

  const histories = new Map<number, TrialSnapshot[]>()
  const inMemory: Record<string, LatencyEntry> = {}
  const failed: { algorithm: string; N: number; error: string }[] = []
  for (const algorithm of algorithms) {
    // A server process is long-lived, so its asks run JIT-compiled code; SUITE.md's 3 warm-ups
    // (enough for CPython) are not enough for V8 to optimise the first N measured.
    try {
      await measure(algorithm, options.settings?.[algorithm] ?? [], latencyHistory(JIT_WARMUP_N), JIT_WARMUP_ASKS, 0)
    } catch {
      // The measurement proper reports the failure.
    }
    for (const n of options.n ?? defaultLatencyN(algorithm)) {
      if (!histories.has(n)) histories.set(n, latencyHistory(n))
      const trials = histories.get(n)!
      const settings = options.settings?.[algorithm] ?? []
      let measured: { totals: number[]; blocks: number[] }
      try {
        measured = await measure(algorithm, settings, trials, warmups, options.reps)
      } catch (error) {
        failed.push({ algorithm, N: n, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
        options.onProgress?.(`${algorithm} N=${n}: FAILED ${failed.at(-1)!.error}`)
        continue
      }
      const entry = latencyEntry(algorithm, n, measured.totals, measured.blocks, options.anchor)
      inMemory[`${algorithm}_N${n}`] = entry
      options.onProgress?.(`${algorithm} N=${n}: ask median ${entry.ask.median_ms.toFixed(3)} ms [${entry.ask.p25_ms.toFixed(3)}, ${entry.ask.p75_ms.toFixed(3)}]${entry.speedup_vs_optuna === null ? '' : `, ${Number(entry.speedup_vs_optuna.toPrecision(3))}x Optuna`}`)
    }
  }

  return {
    meta: {
      date: new Date().toISOString(),
      command: options.command ?? 'runLatency()',
      machine: machineLine(machine),
      machine_detail: machine,
      node: process.version,
      warmups,
      reps: options.reps,
      runtime_s: (performance.now() - started) / 1000,
    },
    latency: {
      problem: 'hartmann6',
      history: `N completed trials with uniformly random params (core/rng createRng(${HISTORY_SEED}), x1..x6 per trial in order) and their true hartmann6 values, as TrialSnapshots in memory`,
      ask_definition: 'askAlgorithm({ count: 1, seed: 12345, trials: the N-trial history, state: the previous ask\'s }) from suggestion/ask-algorithm.ts: settings parsing, rng derivation and sampling of all 6 params, exactly what SuggestionService runs between its database reads and writes (which are not timed); timed with process.hrtime.bigint',
      ask_protocol: `per algorithm first ${JIT_WARMUP_ASKS} untimed asks on a ${JIT_WARMUP_N}-trial history so V8 has compiled the code (a server is long-lived); then per N ${warmups} untimed warm-up asks, then ${options.reps} timed asks, each seeing exactly the N completed trials (nothing is told in between); the algorithm state passes from each ask to the next through JSON, untimed, as the service stores it`,
      in_memory: inMemory,
      skipped,
      failed,
    },
  }
}

const SPACE = problemSearchSpace(hartmann6)
const JIT_WARMUP_ASKS = 20
const JIT_WARMUP_N = 100

/** Warm-up asks, then timed asks, each seeing exactly `trials`. */
async function measure(algorithm: string, settings: readonly RawSetting[], trials: readonly TrialSnapshot[], warmups: number, reps: number): Promise<{ totals: number[]; blocks: number[] }> {
  let state: unknown = undefined
  const askOnce = (): Promise<AskResult> => askAlgorithm({ algorithmName: algorithm, settings, space: SPACE, direction: 'minimize', trials, count: 1, seed: HISTORY_SEED, state })
  // Untimed: JSON is how the service stores the state between asks.
  const keep = (result: AskResult): void => {
    if (result.suggestions.length !== 1) throw new Error(`${algorithm} gave ${result.suggestions.length} suggestions at N=${trials.length}`)
    state = JSON.parse(JSON.stringify(result.state))
  }
  for (let i = 0; i < warmups; i++) keep(await askOnce())
  const totals: number[] = []
  const blocks: number[] = []
  for (let i = 0; i < reps; i++) {
    let result: AskResult | undefined
    const t = await timeAsk(async () => {
      result = await askOnce()
    })
    keep(result!)
    totals.push(t.totalMs)
    blocks.push(t.longestBlockMs)
  }
  return { totals, blocks }
}
