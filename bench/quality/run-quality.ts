import { readFileSync } from 'node:fs'
import os from 'node:os'
import { getAlgorithm } from '../../algorithms/registry.ts'
import { parseSettings } from '../../algorithms/parse-settings.ts'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { loadProblems } from '../problems/load-problems.ts'
import { problemSearchSpace } from '../problems/problem-search-space.ts'
import { describeMachine, machineLine } from '../report/describe-machine.ts'
import { formatNumber } from '../report/format-number.ts'
import { defaultQualityAlgorithms } from './default-quality-algorithms.ts'
import { describeSeeds } from './parse-seeds.ts'
import { qualityCheckpoints } from './quality-checkpoints.ts'
import { buildCells } from './quality-report.ts'
import type { QualityReport } from './quality-report.ts'
import type { RunSpec } from './run-one.ts'
import { runTasks } from './run-tasks.ts'

export interface QualityOptions {
  /** Problems module path or URL; the 8 built-in problems if absent. */
  readonly problemsModule?: string
  /** Registered algorithm names; every registered one but grid if absent. */
  readonly algorithms?: readonly string[]
  readonly seeds: readonly number[]
  /** Trials per run. */
  readonly budget: number
  /** Trial counts to report; the suite's checkpoints up to the budget, and the budget, if absent. */
  readonly checkpoints?: readonly number[]
  /** Worker threads; 0 = run in this thread. */
  readonly workers: number
  /** Katib algorithmSettings per algorithm name. */
  readonly settings?: Readonly<Record<string, readonly RawSetting[]>>
  readonly timeoutSeconds?: number
  /** For the report header. */
  readonly command?: string
  readonly onProgress?: (line: string) => void
}

/**
 * The quality benchmark: every problem × algorithm × seed as one sequential study of `budget`
 * trials, aggregated into the anchor's JSON shape. Bad options (unknown algorithm, bad setting,
 * bad problems module, checkpoint past the budget) throw before any run starts; failures of
 * single runs are reported in the result.
 */
export async function runQuality(options: QualityOptions): Promise<QualityReport> {
  const started = performance.now()
  // Before the runs: the load average says what else was competing for the cores.
  const machine = describeMachine()
  const problems = await loadProblems(options.problemsModule)
  const algorithms = [...(options.algorithms ?? defaultQualityAlgorithms())]
  const checkpoints = [...(options.checkpoints ?? qualityCheckpoints(options.budget))].sort((a, b) => a - b)
  if (!(Number.isSafeInteger(options.budget) && options.budget > 0)) throw new Error(`budget must be a positive integer, got ${options.budget}`)
  const badCheckpoint = checkpoints.find((c) => !(Number.isSafeInteger(c) && c > 0 && c <= options.budget))
  if (badCheckpoint !== undefined) throw new Error(`checkpoint ${badCheckpoint} is not a trial count between 1 and the budget ${options.budget}`)
  if (algorithms.length === 0) throw new Error('no algorithm to run')
  const unknownSettings = Object.keys(options.settings ?? {}).filter((name) => !algorithms.includes(name))
  if (unknownSettings.length > 0) throw new Error(`settings given for ${unknownSettings.join(', ')}, which ${unknownSettings.length > 1 ? 'are' : 'is'} not among the algorithms run (${algorithms.join(', ')})`)

  const skipped: Record<string, Record<string, string>> = {}
  const specs: RunSpec[] = []
  const descriptions: Record<string, { description: string; settings: Record<string, string> }> = {}
  const raw = (algorithm: string): readonly RawSetting[] => options.settings?.[algorithm] ?? []
  for (const algorithm of algorithms) {
    const definition = getAlgorithm(algorithm)
    if (!definition) throw new Error(`unknown algorithm "${algorithm}"; registered: ${defaultQualityAlgorithms().join(', ')} (and grid)`)
    const parsed = parseSettings(definition, raw(algorithm))
    if (parsed.issues.length > 0) throw new Error(`--settings for ${algorithm}: ${parsed.issues.map((i) => i.message).join('; ')}`)
    descriptions[algorithm] = { description: definition.description, settings: Object.fromEntries(raw(algorithm).map((s) => [s.name, s.value])) }
    for (const problem of problems) {
      const issues = definition.check?.(problemSearchSpace(problem), parsed.settings, { parallelTrialCount: 1, maxTrialCount: options.budget }) ?? []
      if (issues.length > 0) {
        ;(skipped[problem.name] ??= {})[algorithm] = issues.map((i) => i.message).join('; ')
        continue
      }
      for (const seed of options.seeds) specs.push({ problem: problem.name, algorithm, settings: raw(algorithm), seed, budget: options.budget })
    }
  }

  const outcomes = await runTasks(specs, {
    workers: options.workers,
    ...(options.problemsModule === undefined ? {} : { problemsModule: options.problemsModule }),
    ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
    onOutcome: (o, done, total) => {
      const result = o.error === undefined ? `best ${formatNumber(o.best.at(-1))}` : `ERROR ${o.error}`
      options.onProgress?.(`[${done}/${total}] ${o.problem} ${o.algorithm} seed ${o.seed}: ${result} (${o.wallSeconds.toFixed(2)} s)`)
    },
  })

  return {
    meta: {
      suite: 'hpo-anchor-v1',
      date: new Date().toISOString(),
      command: options.command ?? 'runQuality()',
      machine: machineLine(machine),
      machine_detail: machine,
      node: process.version,
      tunewell: packageVersion(),
      workers: options.workers,
      seeds_sf: describeSeeds(options.seeds),
      budget_sf: options.budget,
      checkpoints,
      problems_module: options.problemsModule ?? 'built-in (bench/problems, the 8 single-fidelity problems of hpo-anchor-v1)',
      global_min: Object.fromEntries(problems.map((p) => [p.name, p.globalMin])),
      algorithms: descriptions,
      runtime_s: (performance.now() - started) / 1000,
      notes: qualityNotes(options.workers),
    },
    single_fidelity: buildCells(problems, outcomes, checkpoints),
    skipped,
  }
}

function qualityNotes(workers: number): string[] {
  return [
    'Every ask goes through askAlgorithm (suggestion/ask-algorithm.ts), the code path SuggestionService runs: count 1, the full history as Succeeded trials with their objective, the seed as experiment seed (per-ask stream createRng(deriveSeed(seed, number of trials))), and the previous state passed through JSON as the service stores it.',
    'None of our algorithms is told the budget (a suggest request carries no trial limit; only the creation-time check sees maxTrialCount), so a 50-trial run is identical to the first 50 trials of a 200-trial run with the same seed: budget-50 numbers are read off the 200-trial runs.',
    'Every suggestion is checked against the problem domain. A run that throws, suggests an invalid point, gets a non-finite objective or runs dry is a failed run: null in per_seed, counted in n_missing, listed under errors; medians are over the successful seeds.',
    'Regrets are clamped at 0 (branin\'s stated minimum 5/(4π) is 1 ulp above the double value of f at its minimisers).',
    workers > 0
      ? `Runs are spread over ${workers} worker thread(s) on ${os.availableParallelism()} core(s); wall times include the objective and are indicative only.`
      : 'Runs ran one after another in the main thread; wall times include the objective.',
  ]
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
}
