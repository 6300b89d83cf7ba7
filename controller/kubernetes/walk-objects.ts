export type JsonObject = Record<string, unknown>

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Calls `visit` on every object nested in `node` (through objects and lists), parents before
 * their children. Manifests are searched this way because where a kind keeps its pod templates
 * and containers differs from kind to kind.
 */
export function walkObjects(node: unknown, visit: (object: JsonObject) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walkObjects(item, visit)
    return
  }
  if (!isJsonObject(node)) return
  visit(node)
  for (const value of Object.values(node)) walkObjects(value, visit)
}
