/** One observed metric value. `step` orders points within a trial and makes writes idempotent. */
export interface MetricPoint {
  readonly name: string
  readonly step: number
  readonly value: number
  /**
   * The value as reported when it is not a number (a DARTS genotype): then `value` is NaN. Only
   * a metric reported as nothing but text is a text metric (its latest text is shown); on a
   * metric that also reported numbers, a text is garbage and every numeric summary skips it.
   */
  readonly text?: string
  /** When the trial reported it (from the log line's timestamp when it has one). */
  readonly at: Date
}

/** How a metric's series is reduced to one value (Katib's metricStrategies): its minimum, maximum or last value. */
export const METRIC_STRATEGIES = ['min', 'max', 'latest'] as const
export type MetricStrategy = (typeof METRIC_STRATEGIES)[number]
