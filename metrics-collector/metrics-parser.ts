import type { MetricPoint } from '../core/metric.ts'

/** Turns log lines into metric points; stateful (per-metric step counters), one per trial. */
export interface MetricsParser {
  /** Points found on one line (without its line terminator); `now` stamps points without a timestamp. */
  feed(line: string, now?: Date): MetricPoint[]
  /** Lines that looked like metrics but gave no value; lets the controller explain a missing objective. */
  readonly garbageCount: number
  /** The first such line, shortened, for messages. */
  readonly garbageExample?: string
}

export interface MetricsParserOptions {
  /** Katib `metricsCollectorSpec.source.fileSystemPath.format`; StdOut is always TEXT. */
  readonly format: 'TEXT' | 'JSON'
  /** Objective metric first, then additional metrics. */
  readonly metricNames: readonly string[]
  /** Katib `source.filter.metricsFormat`: regexes with the name in group 1 and the value in group 2. */
  readonly filters?: readonly string[]
}
