import { joinPointer } from './json-pointer.ts'

/**
 * Visits every string in a JSON-like value (mapping keys included, since Katib substitutes
 * in the serialised text and so in keys too) with the pointer of where it sits.
 */
export function walkStrings(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') {
    visit(value, path)
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walkStrings(item, joinPointer(path, i), visit))
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const at = joinPointer(path, key)
      visit(key, at)
      walkStrings(item, at, visit)
    }
  }
}
