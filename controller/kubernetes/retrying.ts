import { statusCodeOf } from './kube-error.ts'
import { UnknownKindError } from './workload-api.ts'

/** How many times a call that failed for a passing reason is tried in all. */
const ATTEMPTS = 5

/**
 * A failure that asking again may cure: the server's 5xx, 429 Too Many Requests, or no answer
 * at all (the network). A refusal (4xx: forbidden, invalid, not found, conflict) is final.
 */
export function isPassing(error: unknown): boolean {
  if (error instanceof UnknownKindError) return false
  const code = statusCodeOf(error)
  return code === undefined ? error instanceof Error : code >= 500 || code === 429
}

/** Runs `call`, again after passing failures (waiting `retryMs`, then twice that, ...); anything else is thrown at once. */
export async function retrying<T>(call: () => Promise<T>, retryMs: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!isPassing(error) || attempt >= ATTEMPTS) throw error
      await new Promise((resolve) => setTimeout(resolve, retryMs * attempt))
    }
  }
}
