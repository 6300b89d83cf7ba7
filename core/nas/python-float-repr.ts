/**
 * A float as Python's `repr()` (and so `json.dumps`) prints it: the shortest digits that read
 * back to the same double, as JavaScript also picks, but in Python's layout: positional for
 * 1e-4 <= |x| < 1e16 with a `.0` on whole numbers (`2.0`), scientific otherwise with a sign and
 * at least two exponent digits (`1e-05`, `1.5e+16`). Katib's suggestion services print double
 * values of a nasConfig operation this way.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return 'Infinity'
  if (value === -Infinity) return '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const sign = value < 0 ? '-' : ''
  // toExponential() without an argument gives the shortest round-tripping digits.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const exponent = Number(exponentText)
  // Python's rule is on the decimal point's position, which is exponent + 1.
  if (exponent < -4 || exponent >= 16) {
    const shown = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const magnitude = String(Math.abs(exponent)).padStart(2, '0')
    return `${sign}${shown}e${exponent < 0 ? '-' : '+'}${magnitude}`
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0')
  const fraction = digits.slice(exponent + 1)
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`
}
