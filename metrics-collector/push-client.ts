import { request } from 'node:http'
import type { MetricPoint } from '../core/metric.ts'

/** How one push went: accepted, or why not and whether sending the same points again may succeed. */
export type PushOutcome = { readonly ok: true } | { readonly ok: false; readonly retry: boolean; readonly message: string }

export interface PushClientOptions {
  /** Per request (default 10 s). */
  readonly timeoutMs?: number
}

/**
 * POSTs points to a trial's push URL (TUNEWELL_REPORT_URL) in the receiver's `points` form, each
 * with its own step and timestamp: the store keeps one value per (metric, step), so sending a
 * point twice rewrites the same row instead of adding one. A fresh connection per request
 * (no keep-alive): behind a Service with several controller replicas, a retry may reach
 * another one. Retryable: no answer, 5xx (503 while no replica runs the trial, during a
 * takeover), 408 and 429. Every replica checks every token and forwards a push to the one that
 * runs the trial (controller/push-hub.ts), so any other 4xx (a wrong token, 410 for a finished
 * trial) would be refused again.
 */
export function pushPoints(url: string, token: string, points: readonly MetricPoint[], options: PushClientOptions = {}): Promise<PushOutcome> {
  const body = JSON.stringify({
    points: points.map((p) => ({
      name: p.name,
      // JSON has no NaN or Infinity; the receiver reads them spelled as strings.
      value: Number.isFinite(p.value) ? p.value : String(p.value),
      step: p.step,
      timestamp: p.at.toISOString(),
    })),
  })
  return new Promise((resolve) => {
    let settled = false
    const done = (outcome: PushOutcome): void => {
      if (settled) return
      settled = true
      resolve(outcome)
    }
    let req
    try {
      req = request(url, {
        method: 'POST',
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      })
    } catch (error) {
      return done({ ok: false, retry: false, message: `cannot push to ${url}: ${(error as Error).message}` })
    }
    req.on('timeout', () => req.destroy(new Error(`no answer within ${(options.timeoutMs ?? 10_000) / 1000} s`)))
    req.on('error', (error) => done({ ok: false, retry: true, message: `push to ${url} failed: ${error.message}` }))
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk.length + text.length <= 4096 ? chunk : ''))
      res.on('error', () => undefined)
      res.on('end', () => {
        const status = res.statusCode ?? 0
        if (status >= 200 && status < 300) return done({ ok: true })
        const retry = status >= 500 || status === 408 || status === 429
        done({ ok: false, retry, message: `push to ${url} answered ${status}: ${text.trim().slice(0, 500)}` })
      })
    })
    req.end(body)
  })
}
