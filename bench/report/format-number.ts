/**
 * Numbers as the anchor's tables print them, so the two reports read alike: 3 significant
 * digits, whole numbers from 1000 on, and e-notation with a two-digit exponent below 0.01.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a'
  if (value === 0) return '0'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  const abs = Math.abs(value)
  if (abs >= 1000) return String(Math.round(value))
  if (abs < 0.01) return value.toExponential(2).replace(/e([+-])(\d)$/, 'e$10$2')
  return String(Number(value.toPrecision(3)))
}
