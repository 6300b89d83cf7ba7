/**
 * A JSON value written as Katib's DARTS service writes its assignments: Python's
 * `json.dumps(value)` (separators `", "` and `": "`, non-ASCII escaped as `\uXXXX`, floats in
 * Python's repr) with every `"` then replaced by `'`. The trial turns `'` back into `"` and parses
 * it (Katib's run_trial.py), so the text must be what Python would have produced, including
 * `5.0` for a float default rather than JavaScript's `5`.
 */
export type KatibJsonValue = null | string | KatibNumber | readonly KatibJsonValue[] | ReadonlyMap<string, KatibJsonValue>


/** A number with the Python type it has in Katib's service: an int prints as `5`, a float as `5.0`. */
export interface KatibNumber {
  readonly number: number
  readonly float: boolean
}

export function katibNumber(number: number, float: boolean): KatibNumber {
  return { number, float }
}

export function katibQuotedJson(value: KatibJsonValue): string {
  return pythonJsonDumps(value).replaceAll('"', "'")
}

function pythonJsonDumps(value: KatibJsonValue): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return pythonJsonString(value)
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`
  // A Map keeps insertion order for every key; a plain object would move "123" first.
  if (value instanceof Map) return `{${[...value].map(([key, item]) => `${pythonJsonString(key)}: ${pythonJsonDumps(item)}`).join(', ')}}`
  const number = value as KatibNumber
  return number.float ? pythonFloatRepr(number.number) : String(Math.trunc(number.number))
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

/** json.dumps with ensure_ascii: anything outside printable ASCII becomes \uXXXX (UTF-16 units, lower-case hex). */
function pythonJsonString(text: string): string {
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    const code = text.charCodeAt(i)
    if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch]
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return `${out}"`
}

/**
 * Python's float repr: the shortest round-trip digits (as JavaScript's), in exponent form below
 * 1e-4 or from 1e16 on with at least two exponent digits (`1e-05`), and `.0` on integral values.
 * Python's json writes non-finite floats as `NaN`/`Infinity`; settings never hold them.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string]
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+'
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  const digits = mantissa.replace('-', '').replace('.', '')
  const negative = value < 0 ? '-' : ''
  if (exponent < 0) return `${negative}0.${'0'.repeat(-exponent - 1)}${digits}`
  const whole = digits.padEnd(exponent + 1, '0')
  const integer = whole.slice(0, exponent + 1)
  const fraction = whole.slice(exponent + 1)
  return `${negative}${integer}.${fraction === '' ? '0' : fraction}`
}
