import { invalidField } from './http-error.ts'

/** `a,b,c` where each must be one of `allowed` (e.g. a state filter); undefined when absent or empty. */
export function parseList<T extends string>(value: string | undefined, allowed: readonly T[], path: string): T[] | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw invalidField(path, `"${item}" is not one of ${allowed.join(', ')}`)
  }
  return [...new Set(items)] as T[]
}

/** `key=value,key2=value2` (kubectl's equality selector); undefined when absent or empty. */
export function parseLabelSelector(value: string | undefined, path: string): Record<string, string> | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const labels: Record<string, string> = {}
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=')
    const key = pair.slice(0, at).trim()
    if (at <= 0 || key === '') throw invalidField(path, `"${pair}" is not key=value`)
    labels[key] = pair.slice(at + 1).trim()
  }
  return labels
}

export const DEFAULT_LIMIT = 100
