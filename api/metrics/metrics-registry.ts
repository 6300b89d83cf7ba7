import type { Metric } from './metric.ts'

/** The metrics one /metrics answer shows, in registration order; names are unique. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>()

  register<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`)
    this.#metrics.set(metric.name, metric)
    return metric
  }

  /** The text exposition format 0.0.4 (serve it with exposition.ts CONTENT_TYPE). */
  render(): string {
    return [...this.#metrics.values()].map((m) => m.render()).join('')
  }
}
