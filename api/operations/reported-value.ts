/** A value as a worker sends it: JSON has no NaN or Infinity, so those come as strings. */
export type ReportedValue = number | 'NaN' | 'Infinity' | '-Infinity'

export function toNumber(value: ReportedValue): number {
  return typeof value === 'number' ? value : Number(value)
}
