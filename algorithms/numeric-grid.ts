import type { NumericParameter } from '../core/search-space.ts'

/** The values a stepped numeric parameter can take: `min + k·step` for k in [0, count). */
export interface NumericGrid {
  readonly step: number
  /** May be Infinity for absurd spans; callers index from 0 and never enumerate it whole. */
  readonly count: number
  valueAt(k: number): number
}

// A point may overshoot `max` by this fraction of a step and still count (0.01 + 4·0.01 > 0.05).
const STEP_TOLERANCE = 1e-9

/**
 * The grid of an int parameter (step default 1) or of a double with a step; undefined for a
 * continuous double. Shared by grid search and random sampling so both produce the same
 * numbers, and so dedup by value works across them.
 */
export function numericGrid(p: NumericParameter): NumericGrid | undefined {
  const step = p.step ?? (p.type === 'int' ? 1 : undefined)
  if (step === undefined) return undefined
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`feasibleSpace.step of parameter "${p.name}" must be a positive number, got ${step}`)
  let last = Math.round((p.max - p.min) / step)
  if (p.min + last * step > p.max + step * STEP_TOLERANCE) last -= 1
  const count = p.max < p.min ? 0 : last + 1
  return {
    step,
    count,
    valueAt: (k) => {
      const raw = p.min + k * step
      const value = p.type === 'int' ? Math.round(raw) : roundTripSafe(raw)
      return Math.min(Math.max(value, p.min), p.max)
    },
  }
}

/**
 * Katib hands values to trials as strings printed with 15 significant digits
 * (`formatParamValue`); rounding to those digits up front makes the number we store, the string
 * the trial sees and the value read back from it all the same, and removes `0.30000000000000004`.
 */
export function roundTripSafe(value: number): number {
  return Number(value.toPrecision(15))
}
