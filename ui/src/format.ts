/** Short, stable number formatting for tables and tooltips. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–'
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (Number.isInteger(value) && abs < 1e9) return String(value)
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(3)
  return Number(value.toPrecision(5)).toString()
}

/** A Katib parameter assignment (always a string): numbers shortened, other values as they are. */
export function formatAssignment(value: string): string {
  const number = Number(value)
  return value.trim() !== '' && Number.isFinite(number) ? formatNumber(number) : value
}

export function formatValue(value: number | string | boolean | undefined): string {
  if (value === undefined) return '–'
  return typeof value === 'number' ? formatNumber(value) : String(value)
}

/** "3 s", "5 min", "2 h", "4 d": how long ago, coarse on purpose. */
export function formatAge(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '–'
  return `${formatDuration(now - Date.parse(iso))} ago`
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  if (s < 86400) return `${(s / 3600).toFixed(s < 36000 ? 1 : 0)} h`
  return `${(s / 86400).toFixed(1)} d`
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–'
  return new Date(iso).toLocaleString()
}
