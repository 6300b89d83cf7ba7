// Katib stores the matched text and later runs strconv.ParseFloat on it; a value that does not
// parse (an empty match, a lone sign) is stored anyway and breaks the trial's summary. We parse
// up front and drop what is not a number.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * Spellings of non-finite values that Python, NumPy and C print for a diverging run. Accepted so
 * such a trial shows its NaN loss instead of looking as if it never reported.
 */
export const NON_FINITE_TOKEN = /^([+-]?)(nan|inf(?:inity)?)$/i

/** A metric value written as text: a decimal number or a NaN/Infinity token; else undefined. */
export function parseMetricValue(text: string): number | undefined {
  const s = text.trim()
  if (DECIMAL.test(s)) {
    const n = Number(s)
    return Number.isNaN(n) ? undefined : n
  }
  const m = NON_FINITE_TOKEN.exec(s)
  if (!m) return undefined
  if (m[2].toLowerCase() === 'nan') return Number.NaN
  return m[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
}
