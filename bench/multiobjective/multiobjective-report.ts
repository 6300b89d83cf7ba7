import type { MachineDescription } from '../report/describe-machine.ts'
import { quantile } from '../report/quantile.ts'
import type { AskLatency } from './measure-ask-latency.ts'
import type { MultiObjectiveProblem } from './multiobjective-problem.ts'
import type { MultiObjectiveRunOutcome } from './run-multiobjective-one.ts'

/** A checkpoint's statistics over the seeds that reached it. */
export interface RegretSummary {
  readonly median: number | null
  readonly q1: number | null
  readonly q3: number | null
  readonly mean: number | null
  readonly n: number
  readonly n_missing: number
  /** Seed order; null where the run failed before the checkpoint. */
  readonly per_seed: readonly (number | null)[]
}

export interface MultiObjectiveCell {
  readonly n_seeds: number
  readonly seeds: readonly number[]
  /** Hypervolume regret per checkpoint, keyed by trial count as a string. */
  readonly hv_regret: Readonly<Record<string, RegretSummary>>
  /** Median share of feasible trials (constrained problems; 1 otherwise). */
  readonly feasible_share_median: number | null
  readonly wall_s_median: number | null
  readonly errors: readonly { readonly seed: number; readonly message: string }[]
}

export interface MultiObjectiveReport {
  readonly meta: {
    readonly date: string
    readonly command: string
    readonly machine: string
    readonly machine_detail: MachineDescription
    readonly node: string
    readonly workers: number
    readonly seeds: string
    readonly budget: number
    readonly checkpoints: readonly number[]
    readonly problems: Readonly<Record<string, { readonly objectives: number; readonly parameters: number; readonly constraints: number; readonly reference_point: readonly number[]; readonly true_hypervolume: number }>>
    readonly algorithms: Readonly<Record<string, Readonly<Record<string, string>>>>
    readonly runtime_s: number
    readonly notes: readonly string[]
  }
  /** `multi_objective[problem][algorithm].hv_regret[checkpoint].median`. */
  readonly multi_objective: Readonly<Record<string, Readonly<Record<string, MultiObjectiveCell>>>>
  /** Per algorithm: one cold ask with `trials` finished trials in the history. */
  readonly ask_latency: Readonly<Record<string, AskLatency>>
  /** Algorithms that refused a problem (their check), with why. */
  readonly skipped: Readonly<Record<string, Readonly<Record<string, string>>>>
}

export function summarizeRegrets(perSeed: readonly (number | null)[]): RegretSummary {
  const values = perSeed.filter((v): v is number => v !== null)
  const stat = (f: () => number): number | null => (values.length === 0 ? null : f())
  return {
    median: stat(() => quantile(values, 0.5)),
    q1: stat(() => quantile(values, 0.25)),
    q3: stat(() => quantile(values, 0.75)),
    mean: stat(() => values.reduce((a, b) => a + b, 0) / values.length),
    n: values.length,
    n_missing: perSeed.length - values.length,
    per_seed: perSeed,
  }
}

/** Outcomes grouped per problem and algorithm, seeds ascending. */
export function buildMultiObjectiveCells(
  problems: readonly MultiObjectiveProblem[], outcomes: readonly MultiObjectiveRunOutcome[], checkpoints: readonly number[],
): Record<string, Record<string, MultiObjectiveCell>> {
  const cells: Record<string, Record<string, MultiObjectiveCell>> = {}
  for (const problem of problems) {
    const byAlgorithm = new Map<string, MultiObjectiveRunOutcome[]>()
    for (const o of outcomes) if (o.problem === problem.name) byAlgorithm.set(o.algorithm, [...(byAlgorithm.get(o.algorithm) ?? []), o])
    if (byAlgorithm.size === 0) continue
    const row: Record<string, MultiObjectiveCell> = (cells[problem.name] = {})
    for (const [algorithm, runs] of byAlgorithm) {
      runs.sort((a, b) => a.seed - b.seed)
      const complete = runs.filter((r) => r.error === undefined)
      row[algorithm] = {
        n_seeds: runs.length,
        seeds: runs.map((r) => r.seed),
        hv_regret: Object.fromEntries(checkpoints.map((c) => [String(c), summarizeRegrets(runs.map((r) => r.hvRegret[String(c)] ?? null))])),
        feasible_share_median: complete.length === 0 ? null : quantile(complete.map((r) => r.feasibleTrials / r.budget), 0.5),
        wall_s_median: complete.length === 0 ? null : quantile(complete.map((r) => r.wallSeconds), 0.5),
        errors: runs.filter((r) => r.error !== undefined).map((r) => ({ seed: r.seed, message: r.error! })),
      }
    }
  }
  return cells
}
