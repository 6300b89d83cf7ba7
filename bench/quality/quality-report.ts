import type { Params } from '../../core/search-space.ts'
import type { MachineDescription } from '../report/describe-machine.ts'
import { quantile } from '../report/quantile.ts'
import { summarize } from '../report/summarize.ts'
import type { Summary } from '../report/summarize.ts'
import type { Problem } from '../problems/problem.ts'
import type { RunOutcome } from './run-one.ts'

/** One algorithm on one problem; the shape of anchor-optuna-results.json's single_fidelity cells. */
export interface QualityCell {
  readonly n_seeds: number
  readonly seeds: readonly number[]
  /** Simple regret (clamped at 0) per checkpoint, keyed by trial count as a string. */
  readonly regret: Readonly<Record<string, Summary>>
  readonly best_value_per_seed: readonly (number | null)[]
  readonly best_params_per_seed: readonly (Params | null)[]
  /** Median wall time of the successful runs, seconds (asks + objective). */
  readonly wall_s_median: number | null
  /** Failed runs; their per-seed values are null. */
  readonly errors: readonly { readonly seed: number; readonly message: string }[]
}

export interface QualityMeta {
  readonly suite: string
  readonly date: string
  readonly command: string
  readonly machine: string
  readonly machine_detail: MachineDescription
  readonly node: string
  readonly tunewell: string
  readonly workers: number
  readonly seeds_sf: string
  readonly budget_sf: number
  readonly checkpoints: readonly number[]
  readonly problems_module: string
  readonly global_min: Readonly<Record<string, number>>
  readonly algorithms: Readonly<Record<string, { readonly description: string; readonly settings: Readonly<Record<string, string>> }>>
  readonly runtime_s: number
  readonly notes: readonly string[]
}

/** quality.json: `single_fidelity[problem][algorithm].regret[checkpoint]` as in the anchor. */
export interface QualityReport {
  readonly meta: QualityMeta
  readonly single_fidelity: Readonly<Record<string, Readonly<Record<string, QualityCell>>>>
  /** Algorithms whose `check` rejects a problem's space: problem → algorithm → reason. */
  readonly skipped: Readonly<Record<string, Readonly<Record<string, string>>>>
}

/** Aggregates run outcomes per problem and algorithm (seeds in ascending order). */
export function buildCells(
  problems: readonly Problem[],
  outcomes: readonly RunOutcome[],
  checkpoints: readonly number[],
): Record<string, Record<string, QualityCell>> {
  const cells: Record<string, Record<string, QualityCell>> = {}
  for (const problem of problems) {
    const byAlgorithm = new Map<string, RunOutcome[]>()
    for (const o of outcomes.filter((o) => o.problem === problem.name)) byAlgorithm.set(o.algorithm, [...(byAlgorithm.get(o.algorithm) ?? []), o])
    if (byAlgorithm.size === 0) continue
    cells[problem.name] = {}
    for (const [algorithm, runs] of byAlgorithm) {
      runs.sort((a, b) => a.seed - b.seed)
      const ok = runs.map((r) => r.error === undefined)
      const regretAt = (c: number) => runs.map((r, i) => (ok[i] ? Math.max(0, r.best[c - 1]! - problem.globalMin) : null))
      const walls = runs.filter((_, i) => ok[i]).map((r) => r.wallSeconds)
      cells[problem.name]![algorithm] = {
        n_seeds: runs.length,
        seeds: runs.map((r) => r.seed),
        regret: Object.fromEntries(checkpoints.map((c) => [String(c), summarize(regretAt(c))])),
        best_value_per_seed: runs.map((r, i) => (ok[i] ? r.best.at(-1)! : null)),
        best_params_per_seed: runs.map((r, i) => (ok[i] ? r.bestParams : null)),
        wall_s_median: walls.length === 0 ? null : quantile(walls, 0.5),
        errors: runs.filter((r) => r.error !== undefined).map((r) => ({ seed: r.seed, message: r.error! })),
      }
    }
  }
  return cells
}
