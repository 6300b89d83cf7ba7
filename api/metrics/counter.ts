import { checkName, header, labelKey, ordered, sample, type Labels } from './exposition.ts'
import type { Metric, MetricOptions } from './metric.ts'

/** A monotonically increasing count per label set; the name should end in `_total`. */
export class Counter<L extends string = never> implements Metric {
  readonly name: string
  readonly #help: string
  readonly #labelNames: readonly L[]
  readonly #values = new Map<string, { labels: Labels; value: number }>()

  constructor(options: MetricOptions<L>) {
    this.#labelNames = options.labelNames ?? []
    checkName(options.name, this.#labelNames)
    this.name = options.name
    this.#help = options.help
    // An unlabelled counter shows 0 from the start, so rate() has a first sample.
    if (this.#labelNames.length === 0) this.#values.set(labelKey([], {}), { labels: {}, value: 0 })
  }

  inc(amount = 1, labels: Readonly<Record<L, string>> = {} as Record<L, string>): void {
    if (!(amount >= 0)) throw new RangeError(`${this.name}: a counter only goes up, got ${amount}`)
    const key = labelKey(this.#labelNames, labels)
    const entry = this.#values.get(key)
    if (entry) entry.value += amount
    else this.#values.set(key, { labels: ordered(this.name, this.#labelNames, labels), value: amount })
  }

  get(labels: Readonly<Record<L, string>> = {} as Record<L, string>): number {
    return this.#values.get(labelKey(this.#labelNames, labels))?.value ?? 0
  }

  render(): string {
    let text = header(this.name, this.#help, 'counter')
    for (const { labels, value } of this.#values.values()) text += sample(this.name, labels, value)
    return text
  }
}
