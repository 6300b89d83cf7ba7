/** What the registry needs of a counter, gauge or histogram. */
export interface Metric {
  readonly name: string
  /** Its HELP, TYPE and samples in the text format. */
  render(): string
}

export interface MetricOptions<L extends string> {
  readonly name: string
  readonly help: string
  readonly labelNames?: readonly L[]
}
