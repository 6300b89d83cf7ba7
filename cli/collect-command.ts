import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { translateGoRegexp } from '../core/go-regexp/translate-go-regexp.ts'
import { createMetricsParser, FileMetricsSource } from '../metrics-collector/index.ts'
import type { MetricPoint } from '../core/metric.ts'
import { MetricsForwarder, type PointSource } from '../metrics-collector/metrics-forwarder.ts'
import { pushPoints } from '../metrics-collector/push-client.ts'
import { PushProgress } from '../metrics-collector/push-progress.ts'
import { PrometheusScrapeSource, type ScrapeState } from '../metrics-collector/prometheus-scrape-source.ts'
import { TfEventDirectorySource } from '../metrics-collector/tfevent-directory-source.ts'

/** `tunewell collect`'s flags as commander gives them. */
export interface CollectFlags {
  readonly metricsFile?: string
  readonly format?: string
  readonly filter?: readonly string[]
  readonly tfeventDir?: string
  readonly scrapeUrl?: string
  readonly metric?: readonly string[]
  readonly progressFile?: string
  readonly readyFile?: string
  readonly pollMs?: string
  readonly drainTimeout?: string
  readonly firstStep?: string
}

/** What the collector does, checked. */
export interface CollectConfig {
  readonly source:
    | { readonly kind: 'File'; readonly path: string; readonly format: 'TEXT' | 'JSON'; readonly filters: readonly string[] }
    | { readonly kind: 'TensorFlowEvent'; readonly dir: string }
    | { readonly kind: 'PrometheusMetric'; readonly url: string }
  readonly metricNames: readonly string[]
  readonly url: string
  readonly token: string
  /**
   * File: the pushed count, beside the metrics file unless given. TensorFlowEvent: none (points
   * carry their own steps and times, so sending again rewrites the same rows). PrometheusMetric:
   * the steps numbered so far and the last values, if given (a scrape cannot be read again).
   */
  readonly progressFile?: string
  readonly readyFile?: string
  readonly pollMs: number
  readonly drainMs: number
  /** Where counted steps start: a trial that continues another one goes on from its parent's last step + 1 (TrialRequest.firstStep). */
  readonly firstStep?: number
}

/** Beside the metrics file, in the pod's emptyDir: it outlives a restart of the collector container. */
export const PROGRESS_FILE_NAME = '.tunewell-collect-progress.json'

/** Checks the flags and the environment (TUNEWELL_REPORT_URL and TUNEWELL_REPORT_TOKEN, as a Push trial gets them); a string says what is wrong. */
export function parseCollectFlags(flags: CollectFlags, env: NodeJS.ProcessEnv): CollectConfig | string {
  const metricNames = (flags.metric ?? []).map((m) => m.trim()).filter((m) => m !== '')
  if (metricNames.length === 0) return '--metric is required: the objective metric first, then any additional metrics (repeat the flag)'
  const given = [flags.metricsFile, flags.tfeventDir, flags.scrapeUrl].filter((f) => f !== undefined).length
  if (given !== 1) return 'give exactly one of --metrics-file (File collector), --tfevent-dir (TensorFlowEvent collector) or --scrape-url (PrometheusMetric collector)'
  let source: CollectConfig['source']
  if (flags.scrapeUrl !== undefined) {
    if (flags.format !== undefined || (flags.filter ?? []).length > 0) return '--format and --filter apply to --metrics-file only'
    let url: URL
    try {
      url = new URL(flags.scrapeUrl)
    } catch {
      return `--scrape-url is not a URL: ${JSON.stringify(flags.scrapeUrl)}`
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--scrape-url must be an http or https URL, got ${JSON.stringify(flags.scrapeUrl)}`
    source = { kind: 'PrometheusMetric', url: url.href }
  } else if (flags.metricsFile !== undefined) {
    if (!isAbsolute(flags.metricsFile)) return `--metrics-file must be an absolute path (the container's), got ${JSON.stringify(flags.metricsFile)}`
    const format = (flags.format ?? 'TEXT').toUpperCase()
    if (format !== 'TEXT' && format !== 'JSON') return `--format must be TEXT or JSON, got ${JSON.stringify(flags.format)}`
    const filters = flags.filter ?? []
    if (format === 'JSON' && filters.length > 0) return '--filter applies to the TEXT format only, not JSON'
    for (const filter of filters) {
      try {
        translateGoRegexp(filter)
      } catch (error) {
        return `--filter ${JSON.stringify(filter)} is not a valid regular expression: ${(error as Error).message}`
      }
    }
    source = { kind: 'File', path: flags.metricsFile, format, filters }
  } else {
    if (flags.format !== undefined || (flags.filter ?? []).length > 0) return '--format and --filter apply to --metrics-file only'
    if (!isAbsolute(flags.tfeventDir!)) return `--tfevent-dir must be an absolute path (the container's), got ${JSON.stringify(flags.tfeventDir)}`
    source = { kind: 'TensorFlowEvent', dir: flags.tfeventDir! }
  }
  const url = env.TUNEWELL_REPORT_URL?.trim() ?? ''
  const token = env.TUNEWELL_REPORT_TOKEN?.trim() ?? ''
  if (url === '' || token === '') return 'TUNEWELL_REPORT_URL and TUNEWELL_REPORT_TOKEN must be set (the controller gives them to the collector container, the token from the trial\'s Secret)'
  try {
    if (new URL(url).protocol !== 'http:') return `TUNEWELL_REPORT_URL must be an http URL, got ${JSON.stringify(url)}`
  } catch {
    return `TUNEWELL_REPORT_URL is not a URL: ${JSON.stringify(url)}`
  }
  const pollMs = positive(flags.pollMs ?? (source.kind === 'PrometheusMetric' ? '5000' : '1000'))
  if (pollMs === undefined) return `--poll-ms must be a positive number, got ${JSON.stringify(flags.pollMs)}`
  const drainSeconds = positive(flags.drainTimeout ?? '20')
  if (drainSeconds === undefined) return `--drain-timeout must be a positive number of seconds, got ${JSON.stringify(flags.drainTimeout)}`
  const firstStep = Number(flags.firstStep ?? '0')
  if (!Number.isSafeInteger(firstStep) || firstStep < 0 || flags.firstStep?.trim() === '') return `--first-step must be a whole number >= 0, got ${JSON.stringify(flags.firstStep)}`
  const progressFile = flags.progressFile ?? (source.kind === 'File' ? join(dirname(source.path), PROGRESS_FILE_NAME) : undefined)
  return {
    source,
    metricNames,
    url,
    token,
    ...(progressFile !== undefined ? { progressFile } : {}),
    ...(flags.readyFile !== undefined ? { readyFile: flags.readyFile } : {}),
    pollMs,
    drainMs: drainSeconds * 1000,
    ...(firstStep > 0 ? { firstStep } : {}),
  }
}

function positive(text: string): number | undefined {
  const value = Number(text)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

/**
 * `tunewell collect`: the File, TensorFlowEvent and PrometheusMetric collector beside a trial's
 * container on a cluster (the sidecar render-workload.ts injects). It reads the metrics as they
 * are written (or scrapes the trial's endpoint), with the same parsers as local trials, and
 * pushes the points to the controller's push API.
 * It runs until SIGTERM (the kubelet sends it once the trial's containers ended: a native
 * sidecar), then reads the rest, pushes it and exits: 0 when every point was accepted.
 */
export async function collectCommand(flags: CollectFlags, err: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = parseCollectFlags(flags, env)
  if (typeof config === 'string') {
    err.write(`error: ${config}\n`)
    return 2
  }
  const log = (message: string) => err.write(`tunewell collect: ${message}\n`)
  const source: PointSource =
    config.source.kind === 'File'
      ? new FileMetricsSource(config.source.path, createMetricsParser({ format: config.source.format, metricNames: config.metricNames, ...(config.source.filters.length > 0 ? { filters: config.source.filters } : {}), firstStep: config.firstStep ?? 0 }))
      : config.source.kind === 'TensorFlowEvent'
        ? new TfEventDirectorySource(config.source.dir, config.metricNames, { onProblem: log })
        : scrapeSource(config.source.url, config.metricNames, config.progressFile, config.firstStep ?? 0, log)
  const forwarder = new MetricsForwarder({
    source,
    push: (points) => pushPoints(config.url, config.token, points),
    ...(config.progressFile !== undefined && config.source.kind !== 'PrometheusMetric' ? { progress: new PushProgress(config.progressFile) } : {}),
    pollMs: config.pollMs,
    log,
  })
  let stopAt: number | undefined
  const stop = () => {
    stopAt ??= Date.now()
    forwarder.stop()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  try {
    if (config.readyFile !== undefined) {
      // The startup probe's answer: from now on a SIGTERM is handled (read the rest, push it), not fatal.
      mkdirSync(dirname(config.readyFile), { recursive: true })
      writeFileSync(config.readyFile, `${process.pid}\n`)
    }
    if (forwarder.skipped > 0) log(`restarted: ${forwarder.skipped} points were pushed before, not sent again`)
    const result = await forwarder.run(() => (stopAt ?? Date.now()) + config.drainMs)
    if (source instanceof ScrapeStateKeeper) for (const note of source.notes(config.metricNames)) log(note)
    if (result.unsent > 0 || result.refused > 0) {
      log(`${result.unsent} points could not be pushed in time and ${result.refused} were refused (${result.pushed} pushed)`)
      return 1
    }
    return 0
  } finally {
    process.off('SIGTERM', stop)
    process.off('SIGINT', stop)
  }
}

/**
 * The PrometheusMetric collector's source in the sidecar: the trial's endpoint, reached on the
 * pod's own network (localhost). After each scrape the steps it numbered are kept in `stateFile`
 * (the collector's emptyDir), so a collector the kubelet restarts goes on from there instead of
 * numbering from 0 again and writing over the points already stored; the points of a scrape
 * not yet pushed when it crashed are lost (a scrape cannot be read again).
 */
function scrapeSource(url: string, metricNames: readonly string[], stateFile: string | undefined, firstStep: number, log: (message: string) => void): PointSource {
  let restore: ScrapeState | undefined
  if (stateFile !== undefined) {
    try {
      restore = JSON.parse(readFileSync(stateFile, 'utf8')) as ScrapeState
      log(`restarted: numbering goes on from ${JSON.stringify(restore.steps)}`)
    } catch {
      // None yet (the first run), or unreadable: number from 0.
    }
  }
  return new ScrapeStateKeeper(new PrometheusScrapeSource(url, metricNames, { firstStep, ...(restore ? { restore } : {}) }), stateFile)
}

class ScrapeStateKeeper implements PointSource {
  constructor(
    readonly source: PrometheusScrapeSource,
    readonly stateFile: string | undefined,
  ) {}

  poll(): Promise<MetricPoint[]> {
    return this.source.poll().then((points) => this.#keep(points))
  }

  finish(): Promise<MetricPoint[]> {
    return this.source.finish().then((points) => this.#keep(points))
  }

  notes(metricNames: readonly string[]): string[] {
    return this.source.notes(metricNames)
  }

  #keep(points: MetricPoint[]): MetricPoint[] {
    if (this.stateFile !== undefined && points.length > 0) {
      try {
        mkdirSync(dirname(this.stateFile), { recursive: true })
        writeFileSync(`${this.stateFile}.tmp`, JSON.stringify(this.source.state()))
        renameSync(`${this.stateFile}.tmp`, this.stateFile)
      } catch {
        // Only a restarted collector needs it.
      }
    }
    return points
  }
}
