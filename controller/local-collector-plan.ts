/**
 * What a local trial's collector needs beyond its output lines and metrics file, for the
 * PrometheusMetric and Custom kinds (made by local-collector.ts). Types only, so the executor's
 * interface can name them without importing how they are made.
 */
export interface LocalCollectorPlan {
  /** PrometheusMetric: the trial's endpoint on this machine, and how often it is scraped. */
  readonly scrape?: { readonly url: string; readonly intervalMs: number }
  /** Custom: the collector's process. */
  readonly custom?: CustomCollectorCommand
}

/** How a Custom collector runs beside one local trial: a child process, no image. */
export interface CustomCollectorCommand {
  /** argv; argv[0] is looked up on env.PATH, no shell. */
  readonly command: readonly string[]
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  /** Where its stdout and stderr are kept, beside the trial's output.log. */
  readonly logPath: string
}
