import { quantile } from './quantile.ts'

/** The anchor's per-cell statistics (`regret[checkpoint]` in anchor-optuna-results.json). */
export interface Summary {
  readonly median: number | null
  readonly q25: number | null
  readonly q75: number | null
  readonly mean: number | null
  /** Seeds with a value. */
  readonly n: number
  /** Seeds without one (the run failed). */
  readonly n_missing: number
  /** One entry per seed, in seed order; null where the run failed. Kept for paired tests. */
  readonly per_seed: readonly (number | null)[]
}

/** Median, quartiles and mean over the seeds that have a value. */
export function summarize(perSeed: readonly (number | null)[]): Summary {
  const values = perSeed.filter((v): v is number => v !== null)
  const stat = (f: () => number): number | null => (values.length === 0 ? null : f())
  return {
    median: stat(() => quantile(values, 0.5)),
    q25: stat(() => quantile(values, 0.25)),
    q75: stat(() => quantile(values, 0.75)),
    mean: stat(() => values.reduce((a, b) => a + b, 0) / values.length),
    n: values.length,
    n_missing: perSeed.length - values.length,
    per_seed: perSeed,
  }
}
