import { checkName, formatValue, header, labelKey, ordered, sample, type Labels } from './exposition.ts'
import type { Metric, MetricOptions } from './metric.ts'

/** Prometheus client libraries' default buckets, in seconds: 5 ms to 10 s. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Series {
  readonly labels: Labels
  /** Per bucket, observations at or below its bound (not cumulative; summed when rendered). */
  readonly counts: number[]
  sum: number
  count: number
}

/** Observations counted into `le` buckets per label set, with their sum and count. */
export class Histogram<L extends string = never> implements Metric {
  readonly name: string
  readonly #help: string
  readonly #labelNames: readonly L[]
  readonly #buckets: readonly number[]
  readonly #series = new Map<string, Series>()

  constructor(options: MetricOptions<L> & { readonly buckets?: readonly number[] }) {
    this.#labelNames = options.labelNames ?? []
    checkName(options.name, [...this.#labelNames, 'le'])
    const buckets = [...(options.buckets ?? DEFAULT_BUCKETS)]
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new Error(`${options.name}: buckets must be finite and strictly increasing`)
    }
    this.name = options.name
    this.#help = options.help
    this.#buckets = buckets
  }

  observe(value: number, labels: Readonly<Record<L, string>> = {} as Record<L, string>): void {
    const key = labelKey(this.#labelNames, labels)
    let series = this.#series.get(key)
    if (!series) {
      series = { labels: ordered(this.name, this.#labelNames, labels), counts: this.#buckets.map(() => 0), sum: 0, count: 0 }
      this.#series.set(key, series)
    }
    const i = this.#buckets.findIndex((b) => value <= b)
    if (i >= 0) series.counts[i]! += 1
    series.sum += value
    series.count += 1
  }

  /** Observations so far for these labels (tests, diagnostics). */
  count(labels: Readonly<Record<L, string>> = {} as Record<L, string>): number {
    return this.#series.get(labelKey(this.#labelNames, labels))?.count ?? 0
  }

  render(): string {
    let text = header(this.name, this.#help, 'histogram')
    for (const s of this.#series.values()) {
      let cumulative = 0
      this.#buckets.forEach((bound, i) => {
        cumulative += s.counts[i]!
        text += sample(`${this.name}_bucket`, { ...s.labels, le: formatValue(bound) }, cumulative)
      })
      text += sample(`${this.name}_bucket`, { ...s.labels, le: '+Inf' }, s.count)
      text += sample(`${this.name}_sum`, s.labels, s.sum)
      text += sample(`${this.name}_count`, s.labels, s.count)
    }
    return text
  }
}
