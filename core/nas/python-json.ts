import { pythonFloatRepr } from './python-float-repr.ts'

/**
 * A value of Python's json module as `json.dumps` with its defaults writes it: `, ` and `: `
 * separators, `ensure_ascii` (every character outside printable ASCII as a lower-case `\uXXXX`,
 * per UTF-16 unit), object keys in the order given (JavaScript objects would sort integer-like
 * keys first, so objects are lists of entries here), ints bare and floats as Python's repr.
 */
export type PythonJson =
  | string
  | { readonly int: number }
  | { readonly float: number }
  /** A number already printed as Python prints it (an operation's int or double value). */
  | { readonly raw: string }
  | readonly PythonJson[]
  | { readonly pairs: readonly (readonly [string, PythonJson])[] }

export function pythonJsonDumps(value: PythonJson): string {
  if (typeof value === 'string') return pythonJsonString(value)
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`
  if ('int' in value) return String(value.int)
  if ('float' in value) return pythonFloatRepr(value.float)
  if ('raw' in value) return value.raw
  if ('pairs' in value) return `{${value.pairs.map(([key, item]) => `${pythonJsonString(key)}: ${pythonJsonDumps(item)}`).join(', ')}}`
  throw new Error('unreachable')
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
}

/** A string as json.dumps(ensure_ascii=True) quotes it. */
export function pythonJsonString(text: string): string {
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    const code = text.charCodeAt(i)
    const short = SHORT_ESCAPES[char]
    if (short !== undefined) out += short
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += char
  }
  return `${out}"`
}
