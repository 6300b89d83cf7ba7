import type { IntermediateValue, TrialSnapshot } from '../../core/trial.ts'
import type { Direction } from '../suggester.ts'

/**
 * A trial's finite intermediate values in ascending step order. Collectors store them sorted,
 * but a NaN line or a hand-built snapshot must not make a stopping rule throw or misjudge.
 */
export function learningCurve(trial: TrialSnapshot): IntermediateValue[] {
  const points = (trial.intermediate ?? []).filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step))
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.step < points[i - 1]!.step) return [...points].sort((a, b) => a.step - b.step)
  }
  return points
}

/** The last step reported, or -Infinity with no report. */
export function lastStep(curve: readonly IntermediateValue[]): number {
  return curve.length === 0 ? -Infinity : curve[curve.length - 1]!.step
}

/** Values reported at steps up to and including `step`. */
export function valuesUpTo(curve: readonly IntermediateValue[], step: number): number[] {
  const values: number[] = []
  for (const point of curve) {
    if (point.step > step) break
    values.push(point.value)
  }
  return values
}

/** The best value reported up to `step` (lowest when minimising); undefined before any report. */
export function bestUpTo(curve: readonly IntermediateValue[], step: number, direction: Direction): number | undefined {
  const values = valuesUpTo(curve, step)
  if (values.length === 0) return undefined
  return direction === 'minimize' ? Math.min(...values) : Math.max(...values)
}

/** The mean of the values reported up to `step`; undefined before any report. */
export function runningAverage(curve: readonly IntermediateValue[], step: number): number | undefined {
  const values = valuesUpTo(curve, step)
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length
}

/** The value last reported at or before `step` (what the trial looked like at that point). */
export function valueAt(curve: readonly IntermediateValue[], step: number): number | undefined {
  let value: number | undefined
  for (const point of curve) {
    if (point.step > step) break
    value = point.value
  }
  return value
}

/** Median with linear interpolation (numpy's default), for a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const h = (sorted.length - 1) / 2
  const lo = Math.floor(h)
  return sorted[lo]! + (h - lo) * (sorted[Math.ceil(h)]! - sorted[lo]!)
}

/** Whether `a` is strictly worse than `b` for the direction. */
export function isWorse(a: number, b: number, direction: Direction): boolean {
  return direction === 'minimize' ? a > b : a < b
}

/** Whether two snapshots are the same trial (names are unique within an experiment). */
export function sameTrial(a: TrialSnapshot, b: TrialSnapshot): boolean {
  return a.name === b.name && a.number === b.number
}
