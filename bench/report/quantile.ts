/**
 * The p-quantile with linear interpolation between order statistics (Hyndman & Fan type 7,
 * numpy's default), so our medians and IQRs are computed as the anchor's are.
 */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const h = (sorted.length - 1) * p
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}
