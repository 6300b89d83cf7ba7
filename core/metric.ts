/** One observed metric value. `step` orders points within a trial and makes writes idempotent. */
export interface MetricPoint {
  readonly name: string
  readonly step: number
  readonly value: number
  /** When the trial reported it (from the log line's timestamp when it has one). */
  readonly at: Date
}

export type MetricStrategy = 'min' | 'max' | 'latest'
