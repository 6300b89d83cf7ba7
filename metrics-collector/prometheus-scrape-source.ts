import { get } from 'node:http'
import { get as getTls } from 'node:https'
import type { MetricPoint } from '../core/metric.ts'
import type { PointSource } from './metrics-forwarder.ts'
import { parsePrometheusText, parseSelector, selectSample, type PrometheusSelector } from './prometheus-text.ts'

export interface PrometheusScrapeSourceOptions {
  /** One scrape's limit (default 5 s): a trial that accepts the connection and never answers must not hold the collector. */
  readonly timeoutMs?: number
  /** Stamp for samples without a timestamp; default the wall clock at the scrape. */
  readonly now?: () => Date
  /** Where an earlier run of this collector left off (`state()`), so a restarted one goes on numbering steps instead of writing over step 0. */
  readonly restore?: ScrapeState
  /** The step of each metric's first point (MetricsParserOptions.firstStep); default 0. */
  readonly firstStep?: number
}

/**
 * What a scrape source remembers between scrapes, as JSON: the next step of each metric and the
 * last value (and sample timestamp) seen, a non-finite value spelled as a string.
 */
export interface ScrapeState {
  readonly steps: Readonly<Record<string, number>>
  readonly last: Readonly<Record<string, { readonly value: number | string; readonly timestampMs?: number }>>
}

const DEFAULT_TIMEOUT_MS = 5000
/** A metrics page larger than this is no metrics page (prometheus_client's are kilobytes). */
const MAX_BODY_BYTES = 16 * 1024 * 1024

/**
 * The PrometheusMetric collector (Katib declares the kind and never implemented it): each poll
 * scrapes the trial's endpoint and turns the samples named by the experiment's metrics into
 * points. A metric name selects a sample as parsePrometheusText's `selectSample` says
 * (`accuracy`, or one series of a labelled metric as `accuracy{split="test"}`). A gauge read again
 * unchanged is no new point: a point is recorded when its value (or the sample's own timestamp)
 * changed, and its step counts the points of that metric, 0, 1, 2, ... Its time is the sample's
 * timestamp, else the scrape's. A scrape that fails (the trial has not opened its port yet, or
 * has closed it) yields nothing; `notes` says afterwards why metrics may be missing.
 */
export class PrometheusScrapeSource implements PointSource {
  readonly #url: string
  readonly #selectors: readonly { readonly metric: string; readonly selector: PrometheusSelector | undefined }[]
  readonly #timeoutMs: number
  readonly #now: () => Date
  readonly #last = new Map<string, { value: number; timestampMs: number | undefined }>()
  readonly #nextStep = new Map<string, number>()
  readonly #firstStep: number
  /** Per metric, why the latest answered scrape had no sample for it. */
  readonly #unmatched = new Map<string, string>()
  #answered = 0
  #lastFailure: string | undefined
  #served: readonly string[] = []
  #problems: readonly string[] = []
  #queue: Promise<unknown> = Promise.resolve()

  constructor(url: string, metricNames: readonly string[], options: PrometheusScrapeSourceOptions = {}) {
    this.#url = url
    this.#selectors = metricNames.filter((name) => name !== '').map((metric) => ({ metric, selector: parseSelector(metric) }))
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#now = options.now ?? (() => new Date())
    this.#firstStep = options.firstStep ?? 0
    for (const [metric, step] of Object.entries(options.restore?.steps ?? {})) {
      if (Number.isSafeInteger(step) && step > 0) this.#nextStep.set(metric, step)
    }
    for (const [metric, last] of Object.entries(options.restore?.last ?? {})) {
      const value = Number(last?.value)
      if (!Number.isNaN(value) || last?.value === 'NaN') this.#last.set(metric, { value, timestampMs: typeof last.timestampMs === 'number' ? last.timestampMs : undefined })
    }
  }

  /** The steps numbered and the values seen so far, for a restarted collector's `restore`. */
  state(): ScrapeState {
    const last: Record<string, { value: number | string; timestampMs?: number }> = {}
    for (const [metric, { value, timestampMs }] of this.#last) {
      last[metric] = { value: Number.isFinite(value) ? value : String(value), ...(timestampMs !== undefined ? { timestampMs } : {}) }
    }
    return { steps: Object.fromEntries(this.#nextStep), last }
  }

  get url(): string {
    return this.#url
  }

  /** How many scrapes were answered with a 2xx. */
  get answered(): number {
    return this.#answered
  }

  poll(): Promise<MetricPoint[]> {
    return this.#serial(() => this.#scrape())
  }

  /** The trial ended: one more scrape, answered only if its endpoint outlives it (a sidecar exporter, a server in another process). */
  finish(): Promise<MetricPoint[]> {
    return this.poll()
  }

  /**
   * Why metrics may be missing, for the trial's message: the endpoint never answered, or it
   * answered without a metric (with what it does serve), or with lines that are not samples.
   */
  notes(wanted: readonly string[]): string[] {
    if (this.#answered === 0) {
      return [`the PrometheusMetric collector got no answer from ${this.#url}${this.#lastFailure ? ` (${this.#lastFailure})` : ''}; the trial must serve its metrics there while it runs (source.httpGet port and path)`]
    }
    const notes: string[] = []
    for (const metric of wanted) {
      const why = this.#unmatched.get(metric)
      if (why && !this.#nextStep.has(metric)) notes.push(`${this.#url} ${why}`)
    }
    if (this.#problems.length > 0) notes.push(`${this.#url} served lines that are no Prometheus sample, e.g. ${this.#problems[0]}`)
    return notes
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #scrape(): Promise<MetricPoint[]> {
    const now = this.#now()
    let text: string
    try {
      const response = await scrape(this.#url, this.#timeoutMs)
      if (response.status < 200 || response.status > 299) {
        this.#lastFailure = `HTTP ${response.status}`
        return []
      }
      text = response.body
    } catch (error) {
      this.#lastFailure = failureOf(error)
      return []
    }
    this.#answered++
    const { samples, problems } = parsePrometheusText(text)
    this.#problems = problems
    this.#served = [...new Set(samples.map((s) => s.name))]
    const points: MetricPoint[] = []
    for (const { metric, selector } of this.#selectors) {
      if (!selector) {
        this.#unmatched.set(metric, `cannot be searched for metric "${metric}": it is no Prometheus metric name (letters, digits, _ and :, optionally {label="value",...})`)
        continue
      }
      const found = selectSample(selector, samples)
      if ('missing' in found) {
        this.#unmatched.set(metric, `served no sample for metric "${metric}"${this.#served.length > 0 ? `; it serves ${this.#served.slice(0, 10).join(', ')}` : ''}`)
        continue
      }
      if ('ambiguous' in found) {
        this.#unmatched.set(metric, `served ${found.ambiguous} series of ${selector.name} with different labels; name one in the metric, e.g. ${selector.name}{label="value"}`)
        continue
      }
      this.#unmatched.delete(metric)
      const { value, timestampMs } = found.sample
      const last = this.#last.get(metric)
      if (last && Object.is(last.value, value) && last.timestampMs === timestampMs) continue
      this.#last.set(metric, { value, timestampMs })
      const step = this.#nextStep.get(metric) ?? this.#firstStep
      this.#nextStep.set(metric, step + 1)
      points.push({ name: metric, step, value, at: timestampMs === undefined ? now : new Date(timestampMs) })
    }
    return points
  }
}

/**
 * One GET on a connection of its own, closed after it (no keep-alive agent): a connection kept
 * open between scrapes would keep a trial's server, and so the trial, from ending (a Node server
 * closes only once its connections have). An https URL (`scheme: HTTPS` of the collector's
 * httpGet) is not checked against a CA, as the kubelet's HTTPS probes are not: a trial's exporter
 * serves a certificate of its own making, and the request never leaves the pod.
 */
function scrape(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { agent: false as const, headers: { accept: 'text/plain;version=0.0.4', connection: 'close' }, timeout: timeoutMs }
    const send = url.startsWith('https:') ? (handler: Parameters<typeof get>[2]) => getTls(url, { ...options, rejectUnauthorized: false }, handler) : (handler: Parameters<typeof get>[2]) => get(url, options, handler)
    const request = send((response) => {
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_BODY_BYTES) return void request.destroy(new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`))
        chunks.push(chunk)
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', reject)
    })
    request.on('timeout', () => request.destroy(new Error('no answer in time')))
    request.on('error', reject)
  })
}

function failureOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message
}
