import type { MetricPoint, MetricStrategy } from '../core/metric.ts'
import type { MetricSummary } from '../core/trial.ts'

export interface MetricSummaryWithCount extends MetricSummary {
  /** Finite points summarised. */
  readonly count: number
}

/**
 * Katib's min/max/latest per metric, over finite values only: a NaN or Infinity stays in storage
 * to show a diverged run but must not become a trial's best value. Latest is the value at the
 * highest step (Katib uses the newest timestamp; steps are what we order by). A metric with no
 * finite point is absent, like a metric never reported.
 */
export function summarize(points: readonly MetricPoint[]): Record<string, MetricSummaryWithCount> {
  const acc = new Map<string, { min: number; max: number; latest: number; latestStep: number; count: number }>()
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue
    const s = acc.get(p.name)
    if (s === undefined) {
      acc.set(p.name, { min: p.value, max: p.value, latest: p.value, latestStep: p.step, count: 1 })
      continue
    }
    s.min = Math.min(s.min, p.value)
    s.max = Math.max(s.max, p.value)
    // >=: among equal steps the later point wins, as Katib lets the last printed line win.
    if (p.step >= s.latestStep) {
      s.latest = p.value
      s.latestStep = p.step
    }
    s.count++
  }
  // fromEntries defines own properties, so a metric named `__proto__` stays an ordinary key.
  return Object.fromEntries(
    [...acc].map(([name, s]) => [name, { min: s.min, max: s.max, latest: s.latest, count: s.count }]),
  )
}

/** The trial's objective value for a metric strategy; undefined when the metric has no finite value. */
export function pickObjective(summary: MetricSummary | undefined, strategy: MetricStrategy): number | undefined {
  if (summary === undefined) return undefined
  const v = summary[strategy]
  return Number.isFinite(v) ? v : undefined
}
