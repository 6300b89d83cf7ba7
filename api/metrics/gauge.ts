import { checkName, header, labelKey, ordered, sample, type Labels } from './exposition.ts'
import type { Metric, MetricOptions } from './metric.ts'

/** A value per label set that goes up and down; `reset` drops every label set (for values recomputed at scrape time). */
export class Gauge<L extends string = never> implements Metric {
  readonly name: string
  readonly #help: string
  readonly #labelNames: readonly L[]
  readonly #values = new Map<string, { labels: Labels; value: number }>()

  constructor(options: MetricOptions<L>) {
    this.#labelNames = options.labelNames ?? []
    checkName(options.name, this.#labelNames)
    this.name = options.name
    this.#help = options.help
  }

  set(value: number, labels: Readonly<Record<L, string>> = {} as Record<L, string>): void {
    const key = labelKey(this.#labelNames, labels)
    const entry = this.#values.get(key)
    if (entry) entry.value = value
    else this.#values.set(key, { labels: ordered(this.name, this.#labelNames, labels), value })
  }

  get(labels: Readonly<Record<L, string>> = {} as Record<L, string>): number | undefined {
    return this.#values.get(labelKey(this.#labelNames, labels))?.value
  }

  reset(): void {
    this.#values.clear()
  }

  render(): string {
    let text = header(this.name, this.#help, 'gauge')
    for (const { labels, value } of this.#values.values()) text += sample(this.name, labels, value)
    return text
  }
}
