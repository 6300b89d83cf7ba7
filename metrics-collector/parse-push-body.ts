import { parseRfc3339 } from './rfc3339.ts'

/** One metric value from a push request, before the receiver fills in missing steps and times. */
export interface PushedValue {
  readonly name: string
  readonly value: number
  readonly step?: number
  readonly at?: Date
}

export type PushBodyResult =
  | { readonly ok: true; readonly values: readonly PushedValue[] }
  | { readonly ok: false; readonly error: string; /** JSON pointer of the offending field. */ readonly path: string }

// JSON has no NaN or Infinity, so a diverged value must be spelled as a string.
const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
}

const MAX_NAME_LENGTH = 255

class BodyError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Validates a push request body:
 * `{ "metrics": { "<name>": <value> }, "step"?: int, "timestamp"?: RFC3339 | epoch seconds }` or
 * `{ "points": [{ "name", "value", "step"?, "timestamp"? }] }`. Unknown keys are rejected, so a
 * typo such as `"stpe"` is reported instead of silently ignored.
 */
export function parsePushBody(body: unknown): PushBodyResult {
  try {
    return { ok: true, values: parse(body) }
  } catch (err) {
    if (err instanceof BodyError) return { ok: false, error: err.message, path: err.path }
    throw err
  }
}

function parse(body: unknown): PushedValue[] {
  const obj = object(body, '', ['metrics', 'points', 'step', 'timestamp'])
  const hasMetrics = Object.hasOwn(obj, 'metrics')
  const hasPoints = Object.hasOwn(obj, 'points')
  if (hasMetrics === hasPoints) throw new BodyError('', 'the body needs exactly one of "metrics" or "points"')
  if (hasMetrics) {
    const step = optionalStep(obj, '')
    const at = optionalTimestamp(obj, '')
    const metrics = object(obj.metrics, '/metrics')
    const names = Object.keys(metrics)
    if (names.length === 0) throw new BodyError('/metrics', 'must name at least one metric')
    return names.map((name) => {
      const path = `/metrics/${pointerEscape(name)}`
      checkName(name, path)
      return { name, value: value(metrics[name], path), step, at }
    })
  }
  if (Object.hasOwn(obj, 'step')) throw new BodyError('/step', 'with "points", give each point its own step')
  if (Object.hasOwn(obj, 'timestamp')) throw new BodyError('/timestamp', 'with "points", give each point its own timestamp')
  if (!Array.isArray(obj.points)) throw new BodyError('/points', `must be an array, got ${typeName(obj.points)}`)
  if (obj.points.length === 0) throw new BodyError('/points', 'must contain at least one point')
  return obj.points.map((raw: unknown, i: number) => {
    const path = `/points/${i}`
    const p = object(raw, path, ['name', 'value', 'step', 'timestamp'])
    if (typeof p.name !== 'string') throw new BodyError(`${path}/name`, `must be a string, got ${typeName(p.name)}`)
    checkName(p.name, `${path}/name`)
    if (!Object.hasOwn(p, 'value')) throw new BodyError(`${path}/value`, 'is required')
    return { name: p.name, value: value(p.value, `${path}/value`), step: optionalStep(p, path), at: optionalTimestamp(p, path) }
  })
}

function object(v: unknown, path: string, allowed?: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new BodyError(path, `must be a JSON object, got ${typeName(v)}`)
  }
  const obj = v as Record<string, unknown>
  if (allowed !== undefined) {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        throw new BodyError(`${path}/${pointerEscape(key)}`, `unknown field; allowed: ${allowed.join(', ')}`)
      }
    }
  }
  return obj
}

function checkName(name: string, path: string): void {
  if (name === '') throw new BodyError(path, 'metric name must not be empty')
  if (name.length > MAX_NAME_LENGTH) throw new BodyError(path, `metric name is longer than ${MAX_NAME_LENGTH} characters`)
}

function value(v: unknown, path: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'string' && Object.hasOwn(NON_FINITE, v)) return NON_FINITE[v]
  throw new BodyError(path, `must be a number, or "NaN", "Infinity" or "-Infinity"; got ${describe(v)}`)
}

function optionalStep(obj: Record<string, unknown>, path: string): number | undefined {
  if (!Object.hasOwn(obj, 'step')) return undefined
  const s = obj.step
  if (typeof s === 'number' && Number.isSafeInteger(s) && s >= 0) return s
  throw new BodyError(`${path}/step`, `must be a non-negative integer, got ${describe(s)}`)
}

function optionalTimestamp(obj: Record<string, unknown>, path: string): Date | undefined {
  if (!Object.hasOwn(obj, 'timestamp')) return undefined
  const t = obj.timestamp
  const at =
    typeof t === 'string' ? parseRfc3339(t) : typeof t === 'number' && Number.isFinite(t) ? new Date(t * 1000) : undefined
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw new BodyError(`${path}/timestamp`, `must be an RFC 3339 string or epoch seconds, got ${describe(t)}`)
  }
  return at
}

function pointerEscape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v)
  return typeName(v)
}
