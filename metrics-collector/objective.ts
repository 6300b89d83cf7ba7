import type { MetricPoint, MetricStrategy } from '../core/metric.ts'
import type { MetricSummary } from '../core/trial.ts'

export interface MetricSummaryWithCount extends MetricSummary {
  /** Finite points summarised. */
  readonly count: number
}

/**
 * Katib's min/max/latest per metric, over finite values only: a NaN or Infinity stays in storage
 * to show a diverged run but must not become a trial's best value. Latest is the value with the
 * newest timestamp, as Katib's trial controller picks it; among equal timestamps the higher step
 * wins. A point whose line gave no timestamp is stamped when it was read, so lines without one
 * come out as the last one read (the highest step). The same order is written in SQL where the
 * store summarises (db/kysely: `order by recorded_at desc, step desc`). A metric with no finite
 * point is absent, like a metric never reported.
 */
export function summarize(points: readonly MetricPoint[]): Record<string, MetricSummaryWithCount> {
  const acc = new Map<string, { min: number; max: number; latest: number; latestStep: number; latestAt: number; count: number }>()
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue
    const s = acc.get(p.name)
    const at = p.at.getTime()
    if (s === undefined) {
      acc.set(p.name, { min: p.value, max: p.value, latest: p.value, latestStep: p.step, latestAt: at, count: 1 })
      continue
    }
    s.min = Math.min(s.min, p.value)
    s.max = Math.max(s.max, p.value)
    if (isLater(at, p.step, s.latestAt, s.latestStep)) {
      s.latest = p.value
      s.latestStep = p.step
      s.latestAt = at
    }
    s.count++
  }
  // fromEntries defines own properties, so a metric named `__proto__` stays an ordinary key.
  return Object.fromEntries(
    [...acc].map(([name, s]) => [name, { min: s.min, max: s.max, latest: s.latest, count: s.count }]),
  )
}

/**
 * Whether a point at (`at`, `step`) comes after the latest so far: a newer timestamp, or the same
 * one and a step at least as high (among equal keys the later point wins, as Katib lets the last
 * printed line win). An invalid date (NaN) sorts before every valid one.
 */
export function isLater(at: number, step: number, latestAt: number, latestStep: number): boolean {
  const a = Number.isNaN(at) ? -Infinity : at
  const b = Number.isNaN(latestAt) ? -Infinity : latestAt
  return a > b || (a === b && step >= latestStep)
}

/** The trial's objective value for a metric strategy; undefined when the metric has no finite value. */
export function pickObjective(summary: MetricSummary | undefined, strategy: MetricStrategy): number | undefined {
  if (summary === undefined) return undefined
  const v = summary[strategy]
  return Number.isFinite(v) ? v : undefined
}
