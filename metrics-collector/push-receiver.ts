import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { MetricPoint } from '../core/metric.ts'
import { FORWARDED_HEADER, forwardPush } from './forward-push.ts'
import { parsePushBody, type PushedValue } from './parse-push-body.ts'
import { pushTokens, type PushTokens } from './push-tokens.ts'

export type PushSink = (trialName: string, points: MetricPoint[]) => Promise<void> | void

/** What a sink throws for a push of a trial that this process does not run (then `route` decides). */
export class TrialNotHereError extends Error {}

/**
 * Where a push goes that the sink here refused with TrialNotHereError: to the receiver of the
 * controller that runs the trial (another replica), or nowhere, answered with `status` (503 with
 * `retryAfterS` while nobody runs it, 410 once it finished).
 */
export type PushRoute =
  | { readonly kind: 'forward'; readonly url: string }
  | { readonly kind: 'answer'; readonly status: number; readonly error: string; readonly retryAfterS?: number }

export interface PushReceiver {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** The port it listens on (the one it was given, or the free one it got for 0). */
  readonly port: number
  /** The URL one trial POSTs to (its TUNEWELL_REPORT_URL). */
  urlFor(trialName: string): string
  /** The bearer token that lets one trial, and only it, write its metrics. */
  tokenFor(trialName: string): string
  /**
   * Stores values of a trial that arrived by another way than HTTP (Katib's DBManager gRPC API)
   * as a push with that trial's token would be: steps numbered here, sent to the trial's
   * runner, or to the replica that runs it; resolves with the answer an HTTP push would get.
   */
  deliver(trialName: string, values: readonly PushedValue[]): Promise<PushOutcome>
  close(): Promise<void>
}

/** How a push ended: 204 stored; otherwise the status, the error and when to retry. */
export interface PushOutcome {
  readonly status: number
  readonly error?: string
  readonly retryAfter?: string
  /** A forwarded push's answer, as the other receiver sent it (JSON). */
  readonly body?: string
  /** Why the sink refused the points (its error's message), for a 503 from this receiver. */
  readonly cause?: string
  /**
   * The sink said the trial does not run here and no route was given (one process, one
   * receiver): HTTP answers it 503 as ever, another protocol may say "not found".
   */
  readonly notRunning?: boolean
}

export interface PushReceiverOptions {
  /** Interface to listen on; default 127.0.0.1 so nothing off the machine can report. */
  readonly host?: string
  /** Port to listen on; default 0 (a free one). */
  readonly port?: number
  /**
   * The base URL trials are told (their TUNEWELL_REPORT_URL starts with it), when they reach
   * this receiver by another address than the one it listens on (pods on a cluster: a Service's
   * or this machine's routable address); default the address it listens on.
   */
  readonly publicUrl?: string
  /**
   * Signs and checks tokens; default a random key per receiver (tokens die with the process).
   * A function: the tokens once known (undefined until then: pushes are answered 503).
   */
  readonly tokens?: PushTokens | (() => PushTokens | undefined)
  /**
   * Where a push goes that the sink refused with TrialNotHereError; `forwarded` when another
   * receiver sent it here (it is not sent on again). Default: answered 503, retry.
   */
  readonly route?: (trialName: string, forwarded: boolean) => Promise<PushRoute> | PushRoute
  /**
   * Per metric, the step after the highest stored, read on this receiver's first push of a
   * trial: values pushed without a step then go on after the points another controller (before
   * a restart or takeover) stored, instead of rewriting them from step 0; for a metric with
   * nothing stored, where a trial that continues another one starts (its parent's last step + 1).
   * Default: from 0.
   */
  readonly storedSteps?: (trialName: string) => Promise<Pick<ReadonlyMap<string, number>, 'get'>>
}

const MAX_BODY_BYTES = 1024 * 1024
// Past this much discarded body the client is not worth answering; the socket is cut.
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES
const ROUTE = /^\/trials\/([^/]+)\/metrics$/

/**
 * Katib's Push collector, locally: trial programs POST their metrics here (see report.ts)
 * instead of having a log parsed.
 */
export async function startPushReceiver(sink: PushSink, opts: PushReceiverOptions = {}): Promise<PushReceiver> {
  const given = opts.tokens ?? pushTokens()
  const currentTokens = typeof given === 'function' ? given : () => given
  const tokenFor = (trialName: string): string => {
    const tokens = currentTokens()
    if (!tokens) throw new Error('push tokens are not known yet (the database has not been read)')
    return tokens.tokenFor(trialName)
  }
  // Steps for values sent without one: per trial, per metric, one past the highest seen.
  const nextSteps = new Map<string, Map<string, number>>()

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Nothing a client sends may take the controller down.
      if (!res.headersSent) send(res, 500, { error: `internal error: ${err instanceof Error ? err.message : String(err)}` })
      else res.destroy()
    })
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined)
    const pathname = (req.url ?? '').split('?')[0]
    const route = ROUTE.exec(pathname)
    if (!route) return send(res, 404, { error: 'not found; POST /trials/<trialName>/metrics' })
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST')
      return send(res, 405, { error: 'use POST' })
    }
    let trialName: string
    try {
      trialName = decodeURIComponent(route[1])
    } catch {
      return send(res, 400, { error: 'the trial name in the URL is not valid percent-encoding', path: '' })
    }
    const tokens = currentTokens()
    if (!tokens) {
      res.setHeader('retry-after', '1')
      return send(res, 503, { error: 'the controller is starting, retry' })
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]
    if (bearer === undefined || !tokens.verify(trialName, bearer)) {
      res.setHeader('www-authenticate', 'Bearer')
      return send(res, 401, { error: `missing or wrong bearer token for trial ${trialName}` })
    }
    const body = await readBody(req)
    if (body === 'too-large') return send(res, 413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` })
    if (body === 'aborted') return
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch (err) {
      return send(res, 400, { error: `the body is not valid JSON: ${(err as Error).message}`, path: '' })
    }
    const parsed = parsePushBody(json)
    if (!parsed.ok) return send(res, 400, { error: parsed.error, path: parsed.path })

    const outcome = await deliver(trialName, parsed.values, { body, bearer, forwarded: req.headers[FORWARDED_HEADER] !== undefined })
    if (outcome.retryAfter !== undefined) res.setHeader('retry-after', outcome.retryAfter)
    if (outcome.status >= 200 && outcome.status < 300) return void res.writeHead(outcome.status).end()
    if (outcome.body !== undefined) {
      res.writeHead(outcome.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(outcome.body) })
      return void res.end(outcome.body)
    }
    send(res, outcome.status, { error: outcome.error ?? `answered ${outcome.status}` })
  }

  /**
   * Numbers the values without a step, stores them through the sink, or routes them to the
   * receiver that runs the trial. `raw`: the HTTP push as it came (forwarded unchanged); without
   * it (another protocol) the values are forwarded as a push with the trial's token.
   */
  async function deliver(trialName: string, values: readonly PushedValue[], raw?: { body: string; bearer: string; forwarded: boolean }): Promise<PushOutcome> {
    const unnumbered = new Set(values.filter((v) => v.step === undefined && !nextSteps.get(trialName)?.has(v.name)).map((v) => v.name))
    let stored: Pick<ReadonlyMap<string, number>, 'get'> | undefined
    if (unnumbered.size > 0 && opts.storedSteps) {
      try {
        stored = await opts.storedSteps(trialName)
      } catch (err) {
        return { status: 503, retryAfter: '1', error: `cannot read the trial's stored steps, retry: ${err instanceof Error ? err.message : String(err)}` }
      }
    }
    // Read after the await: another request of this trial may have started counters meanwhile.
    let steps = nextSteps.get(trialName)
    if (steps === undefined) nextSteps.set(trialName, (steps = new Map()))
    for (const name of unnumbered) {
      const next = stored?.get(name)
      if (next !== undefined && !steps.has(name)) steps.set(name, next)
    }
    const now = new Date()
    const before = new Map<string, number | undefined>()
    const points: MetricPoint[] = values.map((v) => {
      if (!before.has(v.name)) before.set(v.name, steps.get(v.name))
      const next = steps.get(v.name) ?? 0
      const step = v.step ?? next
      steps.set(v.name, Math.max(next, step + 1))
      return { name: v.name, step, value: v.value, at: v.at ?? now }
    })
    const after = new Map([...before.keys()].map((name) => [name, steps.get(name)]))
    try {
      await sink(trialName, points)
    } catch (err) {
      // The client will resend the same values; give them the same steps again, unless another
      // request has moved the counter on meanwhile.
      for (const [name, prev] of before) {
        if (steps.get(name) !== after.get(name)) continue
        if (prev === undefined) steps.delete(name)
        else steps.set(name, prev)
      }
      if (err instanceof TrialNotHereError && opts.route) {
        // Counted by the receiver that runs it; read afresh should this one run it later.
        nextSteps.delete(trialName)
        const where = await opts.route(trialName, raw?.forwarded ?? false)
        if (where.kind === 'answer') {
          return { status: where.status, error: where.error, ...(where.retryAfterS !== undefined ? { retryAfter: String(where.retryAfterS) } : {}) }
        }
        // The body as it came: steps it leaves out are numbered by the receiver that runs the trial.
        const answer = await forwardPush(where.url, trialName, raw?.body ?? JSON.stringify(pushBodyOf(values)), `Bearer ${raw?.bearer ?? tokenFor(trialName)}`)
        return {
          status: answer.status,
          ...(answer.retryAfter !== undefined ? { retryAfter: answer.retryAfter } : {}),
          ...(answer.status >= 200 && answer.status < 300 ? {} : { body: answer.body, error: errorOf(answer.body) }),
        }
      }
      const cause = err instanceof Error ? err.message : String(err)
      return { status: 503, retryAfter: '1', error: `metrics not stored, retry: ${cause}`, cause, ...(err instanceof TrialNotHereError ? { notRunning: true } : {}) }
    }
    return { status: 204 }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      // Once listening, an accept failure (e.g. out of file descriptors) must not be an uncaught
      // 'error' event that ends the controller; the affected client simply retries.
      server.on('error', () => undefined)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address
  const url = opts.publicUrl?.replace(/\/+$/, '') ?? `http://${host}:${address.port}`

  return {
    url,
    port: address.port,
    urlFor: (trialName) => `${url}/trials/${encodeURIComponent(trialName)}/metrics`,
    tokenFor,
    deliver: (trialName, values) => deliver(trialName, values),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        // Keep-alive connections would otherwise hold close() open until they time out.
        server.closeAllConnections()
      }),
  }
}

/** The body as text, or why not. An oversized body is drained (not buffered) so the client reads the 413. */
function readBody(req: IncomingMessage): Promise<string | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > MAX_DRAIN_BYTES) {
      req.resume()
      resolve('too-large')
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    let cut = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_DRAIN_BYTES) {
        cut = true
        req.destroy()
        return
      }
      if (size > MAX_BODY_BYTES) tooLarge = true
      if (!tooLarge) chunks.push(chunk)
    })
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks).toString('utf8')))
    req.on('close', () => resolve(tooLarge && !cut ? 'too-large' : 'aborted'))
  })
}

function send(res: ServerResponse, status: number, body: { error: string; path?: string }): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** Values as the body of a push (`points`, each with its step and time where known). */
function pushBodyOf(values: readonly PushedValue[]): { points: Record<string, unknown>[] } {
  return {
    points: values.map((v) => ({
      name: v.name,
      value: Number.isFinite(v.value) ? v.value : Number.isNaN(v.value) ? 'NaN' : v.value > 0 ? 'Infinity' : '-Infinity',
      ...(v.step !== undefined ? { step: v.step } : {}),
      ...(v.at !== undefined ? { timestamp: v.at.toISOString() } : {}),
    })),
  }
}

/** The `error` of a JSON answer, else its text. */
function errorOf(body: string): string {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error
    if (typeof error === 'string') return error
  } catch {
    // Not JSON: the text itself.
  }
  return body
}
