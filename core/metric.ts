/** One observed metric value. `step` orders points within a trial and makes writes idempotent. */
export interface MetricPoint {
  readonly name: string
  readonly step: number
  readonly value: number
  /** When the trial reported it (from the log line's timestamp when it has one). */
  readonly at: Date
}

/** How a metric's series is reduced to one value (Katib's metricStrategies): its minimum, maximum or last value. */
export const METRIC_STRATEGIES = ['min', 'max', 'latest'] as const
export type MetricStrategy = (typeof METRIC_STRATEGIES)[number]
