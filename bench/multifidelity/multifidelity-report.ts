import { quantile } from '../report/quantile.ts'
import type { Summary } from '../report/summarize.ts'
import type { MachineDescription } from '../report/describe-machine.ts'
import type { MultiFidelityRun } from './run-multifidelity-one.ts'

/**
 * Median and quartiles over seeds where a seed without a full-fidelity trial yet counts as
 * +Infinity, as the anchor does ("counted as +inf in the median"); JSON has no Infinity, so such
 * a statistic is null and `n_missing` says how many seeds lacked a value.
 */
export type MultiFidelitySummary = Summary

/** One configuration on lcbench_like: the anchor's `multi_fidelity.lcbench_like[config]` shape. */
export interface MultiFidelityCell {
  readonly n_seeds: number
  readonly seeds: readonly number[]
  readonly regret: Readonly<Record<string, MultiFidelitySummary>>
  readonly n_trials_started_median: number
  readonly n_trials_full_median: number
  readonly n_trials_pruned_median: number
  readonly wall_s_median: number
  readonly per_seed_runs: readonly MultiFidelityRun[]
  readonly errors: readonly { readonly seed: number; readonly message: string }[]
}

export interface MultiFidelityReport {
  readonly meta: {
    readonly suite: string
    readonly problem: string
    readonly date: string
    readonly command: string
    readonly machine: string
    readonly machine_detail: MachineDescription
    readonly tunewell: string
    readonly seeds: string
    readonly budget_epochs: number
    readonly checkpoints: readonly number[]
    readonly global_min: number
    readonly configs: Readonly<Record<string, { readonly description: string; readonly algorithm: string; readonly settings: Readonly<Record<string, string>>; readonly early_stopping?: { readonly name: string; readonly settings: Readonly<Record<string, string>> }; readonly optuna_peer?: string }>>
    readonly runtime_s: number
    readonly notes: readonly string[]
  }
  readonly multi_fidelity: { readonly lcbench_like: Readonly<Record<string, MultiFidelityCell>> }
}

export function summarizeWithMissing(perSeed: readonly (number | null)[]): MultiFidelitySummary {
  const values = perSeed.map((v) => (v === null ? Infinity : v))
  const finite = values.filter(Number.isFinite)
  const stat = (p: number): number | null => {
    if (values.length === 0) return null
    const sorted = [...values].sort((a, b) => a - b)
    const h = (sorted.length - 1) * p
    const lo = sorted[Math.floor(h)]!
    const hi = sorted[Math.ceil(h)]!
    // Avoids ∞ − ∞; anything interpolated towards +∞ is +∞.
    const value = lo === hi ? lo : hi === Infinity ? Infinity : quantile(values, p)
    return Number.isFinite(value) ? value : null
  }
  return {
    median: stat(0.5),
    q25: stat(0.25),
    q75: stat(0.75),
    mean: finite.length === values.length && values.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : null,
    n: finite.length,
    n_missing: values.length - finite.length,
    per_seed: perSeed,
  }
}

/** Aggregates the runs of one configuration (seeds ascending). */
export function buildCell(runs: readonly MultiFidelityRun[], checkpoints: readonly number[]): MultiFidelityCell {
  const sorted = [...runs].sort((a, b) => a.seed - b.seed)
  const med = (f: (r: MultiFidelityRun) => number): number => quantile(sorted.map(f), 0.5)
  return {
    n_seeds: sorted.length,
    seeds: sorted.map((r) => r.seed),
    regret: Object.fromEntries(checkpoints.map((c) => [String(c), summarizeWithMissing(sorted.map((r) => (r.error === undefined ? r.regret[String(c)] ?? null : null)))])),
    n_trials_started_median: med((r) => r.n_trials_started),
    n_trials_full_median: med((r) => r.n_trials_full_fidelity),
    n_trials_pruned_median: med((r) => r.n_trials_stopped),
    wall_s_median: med((r) => r.wall_s),
    per_seed_runs: sorted,
    errors: sorted.filter((r) => r.error !== undefined).map((r) => ({ seed: r.seed, message: r.error! })),
  }
}
