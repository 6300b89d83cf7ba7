import { request } from 'node:http'

/** Marks a push one receiver sent on to another, so that it is never sent on a second time (no loops). */
export const FORWARDED_HEADER = 'x-tunewell-forwarded'

/** Short: the pushing client waits for this, and retries a 503 (at this replica or another) anyway. */
const FORWARD_TIMEOUT_MS = 5_000
/** Of the other receiver's answer, which is a short JSON error or nothing. */
const MAX_ANSWER_BYTES = 16 * 1024

export interface ForwardedAnswer {
  readonly status: number
  /** JSON; empty for a 2xx. */
  readonly body: string
  readonly retryAfter?: string
}

/**
 * Sends a push, as it came (body and bearer token), to the receiver at `baseUrl` (the replica
 * that runs the trial) and gives back its answer. No answer, or none in time, is a 503 with
 * Retry-After: that replica may be going away and another taking over, so the client retries.
 */
export function forwardPush(baseUrl: string, trialName: string, body: string, authorization: string): Promise<ForwardedAnswer> {
  const target = `${baseUrl.replace(/\/+$/, '')}/trials/${encodeURIComponent(trialName)}/metrics`
  const unreachable = (why: string): ForwardedAnswer => ({
    status: 503,
    body: JSON.stringify({ error: `the controller that runs trial ${trialName} (${baseUrl}) did not answer: ${why}; retry` }),
    retryAfter: '1',
  })
  return new Promise((resolve) => {
    let settled = false
    const done = (answer: ForwardedAnswer): void => {
      if (settled) return
      settled = true
      resolve(answer)
    }
    let req
    try {
      req = request(target, {
        method: 'POST',
        agent: false,
        timeout: FORWARD_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization,
          [FORWARDED_HEADER]: '1',
        },
      })
    } catch (error) {
      return done(unreachable((error as Error).message))
    }
    req.on('timeout', () => req.destroy(new Error(`no answer within ${FORWARD_TIMEOUT_MS / 1000} s`)))
    req.on('error', (error) => done(unreachable(error.message)))
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk)
      })
      res.on('error', (error) => done(unreachable(error.message)))
      res.on('end', () => {
        const status = res.statusCode ?? 502
        const text = Buffer.concat(chunks).toString('utf8')
        const retryAfter = res.headers['retry-after']
        done({ status, body: status >= 200 && status < 300 ? '' : text || JSON.stringify({ error: `answered ${status}` }), ...(retryAfter ? { retryAfter } : {}) })
      })
    })
    req.end(body)
  })
}
