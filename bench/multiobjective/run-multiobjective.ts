import { getAlgorithm, parseSettings } from '../../algorithms/index.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { algorithmNames } from '../../algorithms/registry.ts'
import { problemSearchSpace } from '../problems/problem-search-space.ts'
import { describeMachine, machineLine } from '../report/describe-machine.ts'
import { describeSeeds } from '../quality/parse-seeds.ts'
import { loadMultiObjectiveProblems } from './load-multiobjective-problems.ts'
import { measureAskLatency } from './measure-ask-latency.ts'
import type { AskLatency } from './measure-ask-latency.ts'
import { buildMultiObjectiveCells } from './multiobjective-report.ts'
import type { MultiObjectiveReport } from './multiobjective-report.ts'
import { runMultiObjectiveTasks } from './run-multiobjective-tasks.ts'
import type { MultiObjectiveRunSpec } from './run-multiobjective-one.ts'

export interface MultiObjectiveOptions {
  readonly problemsModule?: string
  /** Registered names; every algorithm that accepts several objectives, but grid, if absent. */
  readonly algorithms?: readonly string[]
  readonly seeds: readonly number[]
  readonly budget: number
  /** Default 50, 100, 200 up to the budget, and the budget. */
  readonly checkpoints?: readonly number[]
  readonly settings?: Readonly<Record<string, readonly RawSetting[]>>
  readonly workers: number
  /** History length of the ask-latency measurement; 0 skips it. */
  readonly latencyTrials: number
  readonly latencyRepeats?: number
  readonly command?: string
  readonly onProgress?: (line: string) => void
}

/** Registered algorithms that accept several objectives, grid aside (its quality is its resolution). */
export function defaultMultiObjectiveAlgorithms(): string[] {
  return algorithmNames().filter((name) => name !== 'grid' && (getAlgorithm(name) as { multiObjective?: boolean } | undefined)?.multiObjective === true)
}

export function multiObjectiveCheckpoints(budget: number): number[] {
  return [...new Set([...[50, 100, 200].filter((c) => c < budget), budget])]
}

/**
 * The multi-objective benchmark: every problem × algorithm × seed as one sequential study of
 * `budget` trials scored by hypervolume regret, then the ask latency per algorithm. Bad options
 * throw before any run; failed runs are reported in the result.
 */
export async function runMultiObjective(options: MultiObjectiveOptions): Promise<MultiObjectiveReport> {
  const started = performance.now()
  const machine = describeMachine()
  const problems = await loadMultiObjectiveProblems(options.problemsModule)
  const algorithms = [...(options.algorithms ?? defaultMultiObjectiveAlgorithms())]
  const checkpoints = [...(options.checkpoints ?? multiObjectiveCheckpoints(options.budget))].sort((a, b) => a - b)
  const bad = checkpoints.find((c) => !(Number.isSafeInteger(c) && c > 0 && c <= options.budget))
  if (bad !== undefined) throw new Error(`checkpoint ${bad} is not a trial count between 1 and the budget ${options.budget}`)
  if (algorithms.length === 0) throw new Error('no algorithm to run')
  const raw = (algorithm: string): readonly RawSetting[] => options.settings?.[algorithm] ?? []
  const unknownSettings = Object.keys(options.settings ?? {}).filter((name) => !algorithms.includes(name))
  if (unknownSettings.length > 0) throw new Error(`settings given for ${unknownSettings.join(', ')}, not among the algorithms run (${algorithms.join(', ')})`)

  const specs: MultiObjectiveRunSpec[] = []
  const skipped: Record<string, Record<string, string>> = {}
  for (const algorithm of algorithms) {
    const definition = getAlgorithm(algorithm)
    if (!definition) throw new Error(`unknown algorithm "${algorithm}"; those accepting several objectives: ${defaultMultiObjectiveAlgorithms().join(', ')}`)
    const parsed = parseSettings(definition, raw(algorithm))
    if (parsed.issues.length > 0) throw new Error(`--settings for ${algorithm}: ${parsed.issues.map((i) => i.message).join('; ')}`)
    for (const problem of problems) {
      const issues = definition.check?.(problemSearchSpace(problem), parsed.settings, { parallelTrialCount: 1, maxTrialCount: options.budget }) ?? []
      if (issues.length > 0) {
        ;(skipped[problem.name] ??= {})[algorithm] = issues.map((i) => i.message).join('; ')
        continue
      }
      for (const seed of options.seeds) specs.push({ problem: problem.name, algorithm, settings: raw(algorithm), seed, budget: options.budget, checkpoints })
    }
  }

  const outcomes = await runMultiObjectiveTasks(specs, {
    workers: options.workers,
    ...(options.problemsModule === undefined ? {} : { problemsModule: options.problemsModule }),
    onOutcome: (o, done, total) => {
      const last = o.hvRegret[String(checkpoints.at(-1))]
      options.onProgress?.(`[${done}/${total}] ${o.problem} ${o.algorithm} seed ${o.seed}: ${o.error === undefined ? `hv regret ${last?.toPrecision(4)}` : `ERROR ${o.error}`} (${o.wallSeconds.toFixed(2)} s)`)
    },
  })

  const askLatency: Record<string, AskLatency> = {}
  if (options.latencyTrials > 0) {
    const problem = problems[0]!
    for (const algorithm of algorithms) {
      if (skipped[problem.name]?.[algorithm] !== undefined) continue
      askLatency[algorithm] = await measureAskLatency(problem, algorithm, raw(algorithm), options.latencyTrials, options.latencyRepeats ?? 3)
      options.onProgress?.(`ask latency ${algorithm} at ${options.latencyTrials} trials (${problem.name}): ${askLatency[algorithm]!.median_ms.toFixed(1)} ms`)
    }
  }

  return {
    meta: {
      date: new Date().toISOString(),
      command: options.command ?? 'runMultiObjective()',
      machine: machineLine(machine),
      machine_detail: machine,
      node: process.version,
      workers: options.workers,
      seeds: describeSeeds(options.seeds),
      budget: options.budget,
      checkpoints,
      problems: Object.fromEntries(problems.map((p) => [p.name, {
        objectives: p.objectives, parameters: p.params.length, constraints: p.constraintCount ?? 0,
        reference_point: p.referencePoint, true_hypervolume: p.trueHypervolume,
      }])),
      algorithms: Object.fromEntries(algorithms.map((a) => [a, Object.fromEntries(raw(a).map((s) => [s.name, s.value]))])),
      runtime_s: (performance.now() - started) / 1000,
      notes: [
        'Every ask is the suggestion service\'s (registry, settings, per-trial streams of the seed) with the multi-objective request fields: directions (all minimize), constraintCount on constrained problems; trials carry values (the objective vector), objective (its first) and constraints (violations, <= 0 feasible).',
        'Hypervolume regret = the problem\'s true hypervolume minus the exact hypervolume of the feasible trials so far against its reference point (core/multiobjective/hypervolume.ts), clamped at 0; lower is better. Trials outside the reference box count for nothing.',
        'No algorithm is told the budget, so the 50- and 100-trial numbers are the first trials of the 200-trial runs.',
        'Ask latency: one cold ask (no state) with that many finished random trials of the first problem in the history, median of the repeats; separate from the quality runs.',
      ],
    },
    multi_objective: buildMultiObjectiveCells(problems, outcomes, checkpoints),
    ask_latency: askLatency,
    skipped,
  }
}
