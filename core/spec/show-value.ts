/** Renders an offending value for a message: strings quoted, long values cut. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 80 ? text.slice(0, 77) + '...' : text
}

/** "a string", "the number 5", ... for type mismatches. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null (an empty value)'
  if (Array.isArray(value)) return 'a list'
  switch (typeof value) {
    case 'string':
      return `the string ${showValue(value)}`
    case 'number':
      return `the number ${value}`
    case 'boolean':
      return `the boolean ${value}`
    case 'object':
      return 'a mapping'
    default:
      return typeof value
  }
}
