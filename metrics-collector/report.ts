// Imported by trial programs, so it imports nothing: only the global fetch of Node 18+ (or a
// browser-like runtime). The env var names repeat env.ts on purpose; the tests pin them together.
const URL_ENV = 'TUNEWELL_REPORT_URL'
const TOKEN_ENV = 'TUNEWELL_REPORT_TOKEN'
/** How long a report is retried, in seconds (default 60): long enough for a controller takeover. */
const RETRY_ENV = 'TUNEWELL_REPORT_RETRY_SECONDS'

const DEFAULT_RETRY_MS = 60_000
const FIRST_BACKOFF_MS = 100
const MAX_BACKOFF_MS = 5_000
const ATTEMPT_TIMEOUT_MS = 10_000

export interface ReportOptions {
  /** Training step or epoch; without it the receiver numbers each metric's reports 0, 1, 2... */
  readonly step?: number
}

/**
 * Sends metrics of the running trial to Tunewell (Katib's `report_metrics` for the Push
 * collector). NaN and Infinity are allowed, so a diverging run is recorded as such.
 * Retries network errors, 5xx answers (503 while a controller takes over the trial, after the
 * Retry-After it gives), 408 and 429 for up to TUNEWELL_REPORT_RETRY_SECONDS (default 60);
 * any other 4xx (a wrong token, 410 for a trial that has finished) throws at once.
 */
export async function reportMetrics(metrics: Record<string, number>, opts: ReportOptions = {}): Promise<void> {
  const env = globalThis.process?.env ?? {}
  const hint = 'run this program as a Tunewell trial with metricsCollectorSpec.collector.kind: Push'
  const url = env[URL_ENV]
  if (!url) throw new Error(`reportMetrics needs ${URL_ENV}: ${hint}`)
  const token = env[TOKEN_ENV]
  if (!token) throw new Error(`reportMetrics needs ${TOKEN_ENV}: ${hint}`)

  const encoded: Record<string, number | string> = {}
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') throw new TypeError(`reportMetrics: metric ${name} must be a number, got ${typeof value}`)
    encoded[name] = Number.isFinite(value) ? value : String(value)
  }
  if (Object.keys(encoded).length === 0) throw new TypeError('reportMetrics: no metrics given')
  if (opts.step !== undefined && !(Number.isSafeInteger(opts.step) && opts.step >= 0)) {
    throw new TypeError(`reportMetrics: step must be a non-negative integer, got ${opts.step}`)
  }
  // Stamped here, not at the receiver, so a retried report keeps the time it was made.
  const body = JSON.stringify({ metrics: encoded, step: opts.step, timestamp: new Date().toISOString() })

  const retrySeconds = Number(env[RETRY_ENV])
  const retryMs = env[RETRY_ENV] !== undefined && Number.isFinite(retrySeconds) && retrySeconds >= 0 ? retrySeconds * 1000 : DEFAULT_RETRY_MS
  const giveUpAt = Date.now() + retryMs
  let lastError: unknown
  let attempts = 0
  let waitMs = 0
  for (;;) {
    if (attempts > 0) {
      const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS)
      const delay = Math.max(backoff, waitMs)
      if (Date.now() + delay > giveUpAt) break
      await new Promise((r) => setTimeout(r, delay))
    }
    attempts++
    waitMs = 0
    let res: Response
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      })
    } catch (err) {
      lastError = err
      continue
    }
    if (res.ok) {
      await res.body?.cancel()
      return
    }
    const detail = await res.text().catch(() => '')
    const message = `reportMetrics: ${url} answered ${res.status}${detail ? ` ${detail}` : ''}`
    if (res.status < 500 && res.status !== 408 && res.status !== 429) throw new Error(message)
    // Retry-After in seconds (a date is not worth parsing here), at most 10 s.
    const after = Number(res.headers.get('retry-after'))
    if (Number.isFinite(after) && after > 0) waitMs = Math.min(after, 10) * 1000
    lastError = new Error(message)
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError)
  throw new Error(`reportMetrics: could not deliver metrics to ${url} after ${attempts} attempts in ${retryMs / 1000} s: ${reason}`, {
    cause: lastError,
  })
}
