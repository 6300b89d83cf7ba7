import { TunewellError } from '../core/errors.ts'

/** Node errnos of a refused, reset or unreachable connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTCONN'])

/**
 * PostgreSQL's SQLSTATEs of a server that went away or cannot take us now: class 08 (connection
 * exception), 57P01–57P03 (admin/crash shutdown, cannot connect now), 53300 (too many
 * connections).
 */
const SQLSTATE = /^(08\d{3}|57P0[1-3]|53300)$/

/** node-postgres says these in words, without a code. */
const MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|terminating connection due to/i

/**
 * Whether an error means "the database cannot be reached right now" (a restart, a failover, a
 * network cut), as opposed to a bug or a refused statement: the caller may retry the same work
 * later. Causes and AggregateError members are looked at too.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false
  if (error instanceof TunewellError) return error.code === 'DATABASE_UNAVAILABLE'
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  if (NETWORK_CODES.has(code) || SQLSTATE.test(code)) return true
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true
  return e.cause !== undefined && isDatabaseUnavailable(e.cause, depth + 1)
}
