import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { translateGoRegexp } from '../core/go-regexp/translate-go-regexp.ts'
import { createMetricsParser, FileMetricsSource } from '../metrics-collector/index.ts'
import { MetricsForwarder, type PointSource } from '../metrics-collector/metrics-forwarder.ts'
import { pushPoints } from '../metrics-collector/push-client.ts'
import { PushProgress } from '../metrics-collector/push-progress.ts'
import { TfEventDirectorySource } from '../metrics-collector/tfevent-directory-source.ts'

/** `tunewell collect`'s flags as commander gives them. */
export interface CollectFlags {
  readonly metricsFile?: string
  readonly format?: string
  readonly filter?: readonly string[]
  readonly tfeventDir?: string
  readonly metric?: readonly string[]
  readonly progressFile?: string
  readonly readyFile?: string
  readonly pollMs?: string
  readonly drainTimeout?: string
}

/** What the collector does, checked. */
export interface CollectConfig {
  readonly source: { readonly kind: 'File'; readonly path: string; readonly format: 'TEXT' | 'JSON'; readonly filters: readonly string[] } | { readonly kind: 'TensorFlowEvent'; readonly dir: string }
  readonly metricNames: readonly string[]
  readonly url: string
  readonly token: string
  /** File: the pushed count, beside the metrics file unless given. TensorFlowEvent: none (points carry their own steps and times, so sending again rewrites the same rows). */
  readonly progressFile?: string
  readonly readyFile?: string
  readonly pollMs: number
  readonly drainMs: number
}

/** Beside the metrics file, in the pod's emptyDir: it outlives a restart of the collector container. */
export const PROGRESS_FILE_NAME = '.tunewell-collect-progress.json'

/** Checks the flags and the environment (TUNEWELL_REPORT_URL and TUNEWELL_REPORT_TOKEN, as a Push trial gets them); a string says what is wrong. */
export function parseCollectFlags(flags: CollectFlags, env: NodeJS.ProcessEnv): CollectConfig | string {
  const metricNames = (flags.metric ?? []).map((m) => m.trim()).filter((m) => m !== '')
  if (metricNames.length === 0) return '--metric is required: the objective metric first, then any additional metrics (repeat the flag)'
  if ((flags.metricsFile === undefined) === (flags.tfeventDir === undefined)) return 'give exactly one of --metrics-file (File collector) or --tfevent-dir (TensorFlowEvent collector)'
  let source: CollectConfig['source']
  if (flags.metricsFile !== undefined) {
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
  const pollMs = positive(flags.pollMs ?? '1000')
  if (pollMs === undefined) return `--poll-ms must be a positive number, got ${JSON.stringify(flags.pollMs)}`
  const drainSeconds = positive(flags.drainTimeout ?? '20')
  if (drainSeconds === undefined) return `--drain-timeout must be a positive number of seconds, got ${JSON.stringify(flags.drainTimeout)}`
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
  }
}

function positive(text: string): number | undefined {
  const value = Number(text)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

/**
 * `tunewell collect`: the File and TensorFlowEvent collector beside a trial's container on a
 * cluster (the sidecar render-workload.ts injects). It reads the metrics as they are written,
 * with the same parsers as local trials, and pushes the points to the controller's push API.
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
      ? new FileMetricsSource(config.source.path, createMetricsParser({ format: config.source.format, metricNames: config.metricNames, ...(config.source.filters.length > 0 ? { filters: config.source.filters } : {}) }))
      : new TfEventDirectorySource(config.source.dir, config.metricNames, { onProblem: log })
  const forwarder = new MetricsForwarder({
    source,
    push: (points) => pushPoints(config.url, config.token, points),
    ...(config.progressFile !== undefined ? { progress: new PushProgress(config.progressFile) } : {}),
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
