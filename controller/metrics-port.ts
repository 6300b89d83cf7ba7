import { createServer } from 'node:net'
import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { templateStrings } from './metrics-file.ts'

/** The PrometheusMetric collector's endpoint as the spec gives it (defaults applied: /metrics on 8080). */
export interface MetricsEndpoint {
  readonly port: number
  readonly path: string
}

/** Annotation that sets how often a local trial's endpoint is scraped (`5s`, `500ms`, `1m`, or seconds as a number). */
export const SCRAPE_INTERVAL_ANNOTATION = 'tunewell.dev/scrape-interval'
export const DEFAULT_SCRAPE_INTERVAL_MS = 5000
const MIN_SCRAPE_INTERVAL_MS = 100

export function metricsEndpoint(experiment: Experiment): MetricsEndpoint | undefined {
  const spec = experiment.spec.metricsCollectorSpec
  if (spec?.collector?.kind !== 'PrometheusMetric') return undefined
  const httpGet = spec.source?.httpGet ?? {}
  const port = Number(httpGet.port ?? 8080)
  return { port, path: httpGet.path || '/metrics' }
}

/**
 * The scrape interval of a PrometheusMetric experiment, in ms, or why the annotation is invalid.
 * Katib has no such setting (it never scraped); 5 s by default: locally a scrape costs little,
 * and a trial whose server ends with its process cannot be scraped once more at its end, so the
 * interval bounds what is lost of its last values.
 */
export function scrapeIntervalMs(experiment: Experiment): number | string {
  const raw = experiment.metadata?.annotations?.[SCRAPE_INTERVAL_ANNOTATION]
  if (raw === undefined) return DEFAULT_SCRAPE_INTERVAL_MS
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(String(raw))
  const ms = m ? Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'] ?? 1000) : Number.NaN
  if (!(ms >= MIN_SCRAPE_INTERVAL_MS) || ms > 3_600_000) {
    return `annotation ${SCRAPE_INTERVAL_ANNOTATION}: ${JSON.stringify(raw)} is no scrape interval; give a duration between 100ms and 60m, such as "5s" or "500ms"`
  }
  return ms
}

/**
 * Katib scrapes each pod on its own address; local trials share 127.0.0.1, so parallel trials
 * cannot all listen on the same port. Where the trial's command, args or env values name the
 * port as a number of its own (`--port=8080`, `--metrics-port 8080`, `METRICS_PORT=8080`), each
 * trial gets a free port in its place; a trial is told its port in TUNEWELL_METRICS_PORT either way.
 */
export async function placeMetricsPort(
  port: number,
  command: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ port: number; command: string[]; env: Record<string, string> }> {
  const pattern = portPattern(port)
  const named = command.some((arg) => pattern.test(arg)) || Object.values(env).some((value) => pattern.test(value))
  if (!named) return { port, command: [...command], env: { ...env, TUNEWELL_METRICS_PORT: String(port) } }
  const own = await freePort()
  const every = new RegExp(pattern.source, 'g')
  const rewrite = (text: string) => text.replace(every, String(own))
  return {
    port: own,
    command: command.map(rewrite),
    env: { ...Object.fromEntries(Object.entries(env).map(([name, value]) => [name, rewrite(value)])), TUNEWELL_METRICS_PORT: String(own) },
  }
}

/** Why parallel trials of this experiment would serve their metrics on one port, if they would. */
export function metricsPortIssues(experiment: Experiment): SpecIssue[] {
  const endpoint = metricsEndpoint(experiment)
  if (!endpoint) return []
  const issues: SpecIssue[] = []
  const interval = scrapeIntervalMs(experiment)
  if (typeof interval === 'string') issues.push({ path: `/metadata/annotations/${SCRAPE_INTERVAL_ANNOTATION.replace('/', '~1')}`, message: interval })
  const parallel = experiment.spec.parallelTrialCount ?? 3
  if (parallel > 1 && sharesMetricsPort(experiment)) {
    issues.push({
      path: '/spec/metricsCollectorSpec/source/httpGet/port',
      message: `parallel trials (parallelTrialCount ${parallel}) would all serve their metrics on port ${endpoint.port} of this machine: ` +
        `name the port in the trial's command, args or env (e.g. --metrics-port=${endpoint.port}; each trial then gets a free port of its own there), ` +
        'have the program listen on $TUNEWELL_METRICS_PORT, or set parallelTrialCount: 1',
    })
  }
  return issues
}

/** A PrometheusMetric port that no string of the trial's command names: every trial would listen on it. */
export function sharesMetricsPort(experiment: Experiment): boolean {
  const endpoint = metricsEndpoint(experiment)
  if (!endpoint) return false
  const pattern = portPattern(endpoint.port)
  return !templateStrings(experiment).some((text) => pattern.test(text))
}

/** The port as a number of its own: `--port=8080`, `:8080`, `8080`; not `18080`, `8080.5` or `v8080`. */
function portPattern(port: number): RegExp {
  return new RegExp(`(?<![\\w.])${port}(?![\\w.])`)
}

/** A port that was free a moment ago on the loopback address (the trial binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port was assigned'))))
    })
  })
}
