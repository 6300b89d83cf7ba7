/**
 * Reading a document before the schema has checked it (the passes that run ahead of it): every
 * step tolerates a missing or mistyped node instead of throwing.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `value[key]` where value is an object; otherwise undefined. */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined
}

/** The items where value is an array; otherwise none. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}
