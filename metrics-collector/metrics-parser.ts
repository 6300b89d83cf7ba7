import type { MetricPoint } from '../core/metric.ts'

/** Turns log lines into metric points; stateful (per-metric step counters), one per trial. */
export interface MetricsParser {
  /** Points found on one line (without its line terminator); `now` stamps points without a timestamp. */
  feed(line: string, now?: Date): MetricPoint[]
  /** Lines that looked like metrics but gave no value; lets the controller explain a missing objective. */
  readonly garbageCount: number
  /** The first such line, shortened, for messages. */
  readonly garbageExample?: string
  /**
   * Names the lines gave values for that no metric of the experiment asked for (step keys
   * aside): the first 20, in order, looked for until the objective (the first metric name) is
   * reported, as they only explain its absence.
   */
  readonly otherNames: readonly string[]
  /** Per metric, the first line that printed it in a form this format does not read (`loss: 0.3` for `loss=0.3`), shortened; looked for as otherNames. */
  readonly nearMisses: ReadonlyMap<string, string>
  /** How a line must give `name`'s value, for messages: `loss=0.42`. */
  expectedForm(name: string): string
}

export interface MetricsParserOptions {
  /** Katib `metricsCollectorSpec.source.fileSystemPath.format`; StdOut is always TEXT. */
  readonly format: 'TEXT' | 'JSON'
  /** Objective metric first, then additional metrics. */
  readonly metricNames: readonly string[]
  /** Katib `source.filter.metricsFormat`: regexes with the name in group 1 and the value in group 2. */
  readonly filters?: readonly string[]
  /**
   * The step of a metric's first point where its lines carry no step of their own (default 0):
   * a trial that continues another one (a hyperband promotion, a pbt child) goes on from its
   * parent's last step + 1 (controller/lineage-first-step.ts).
   */
  readonly firstStep?: number
}
