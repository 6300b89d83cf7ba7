import type { ExperimentPosition, TrialPosition, TrialSortKey } from '../db/store.ts'
import { invalidField } from './http-error.ts'

/**
 * Cursors are opaque to clients: base64url of a small JSON record holding the position of the
 * previous page's last row (its sort key and the tie-breaker), which the store turns into a
 * keyset condition. A trial cursor also carries its sort and order, so it cannot be replayed
 * against a listing it does not belong to.
 */

const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const INT4_MAX = 2 ** 31 - 1
const PATH = '/querystring/cursor'

interface TrialCursor {
  readonly sort: TrialSortKey
  readonly order: 'asc' | 'desc'
  readonly after: TrialPosition
}

export function encodeTrialCursor(cursor: TrialCursor): string {
  const { key } = cursor.after
  // Objective keys travel as float8 text: JSON would lose NaN and ±Infinity.
  const k = typeof key === 'number' && cursor.sort === 'objective' ? String(key) : key
  return encode({ t: 'trials', s: cursor.sort, o: cursor.order, k, n: cursor.after.number })
}

export function decodeTrialCursor(text: string): TrialCursor {
  const raw = decode(text)
  const sort = raw.s
  if (raw.t !== 'trials' || (sort !== 'objective' && sort !== 'number' && sort !== 'createdAt') || (raw.o !== 'asc' && raw.o !== 'desc')) throw bad()
  const number = position(raw.n)
  const k = raw.k
  let key: number | string | null
  if (sort === 'number') {
    if (k !== number) throw bad()
    key = number
  } else if (sort === 'createdAt') {
    if (!isExactTime(k)) throw bad()
    key = k
  } else if (k === null) {
    key = null
  } else if (typeof k === 'string' && String(Number(k)) === k) {
    key = Number(k)
  } else {
    throw bad()
  }
  return { sort, order: raw.o, after: { key, number } }
}

export function encodeExperimentCursor(after: ExperimentPosition): string {
  return encode({ t: 'experiments', c: after.createdAt, n: after.name })
}

export function decodeExperimentCursor(text: string): ExperimentPosition {
  const raw = decode(text)
  if (raw.t !== 'experiments' || !isExactTime(raw.c) || typeof raw.n !== 'string' || raw.n.length > 253) throw bad()
  return { createdAt: raw.c, name: raw.n }
}

function encode(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function decode(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // falls through to the same answer as any other malformed cursor
  }
  throw bad()
}

/** Checked here, not by the database: a malformed value must be a 400, never a failed cast. */
function isExactTime(value: unknown): value is string {
  if (typeof value !== 'string' || !EXACT_TIME.test(value)) return false
  const date = new Date(value)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === value.slice(0, 19)
}

function position(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > INT4_MAX) throw bad()
  return value
}

function bad() {
  return invalidField(PATH, 'is not a cursor this server issued; pass nextCursor from the previous page unchanged, or omit it for the first page')
}
