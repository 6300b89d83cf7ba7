/**
 * A search space seen as the unit box [0, 1]^d, for algorithms that model or search in a
 * continuous space (Gaussian-process BO, CMA-ES). Encoding then decoding a legal point gives
 * the point back; decoding any point of the box gives a legal one.
 *
 * - Numeric parameters take one coordinate, linear on [min, max], or on log(min)..log(max) for
 *   logUniform and logNormal. normal and logNormal are modelled as their uniform counterparts:
 *   their bell shape is a prior for random sampling, not a statement about where the optimum
 *   is, and a model needs a scale, not a prior. With a step (ints: step 1) the coordinate spans
 *   the grid widened by half a step each side (`drawRange`), so every grid point owns an equal
 *   cell and decoding rounds to the nearest one.
 * - categorical parameters take one coordinate per choice (one-hot); decoding takes the largest.
 *   Relaxed one-hot keeps distances between choices equal, which an index would not.
 * - discrete parameters (ordered numbers) take one coordinate: choice ⌊u·n⌋, encoded at the
 *   centre of its cell, since their order means something.
 */
import type { NumericParameter, Parameter, ParamValue, Params, SearchSpace } from '../core/search-space.ts'
import { drawRange, numericFromDraw } from './sample-parameter.ts'

export interface UnitSlot {
  readonly parameter: Parameter
  /** First coordinate of this parameter. */
  readonly start: number
  /** Coordinates it takes: the number of choices for a categorical, otherwise 1. */
  readonly size: number
}

export interface UnitCube {
  readonly dimensions: number
  readonly slots: readonly UnitSlot[]
  /** Coordinates in [0, 1]; undefined when `params` lacks a parameter or holds an illegal value. */
  encode(params: Params): Float64Array | undefined
  /** The legal parameter set nearest to `x` in this encoding; coordinates outside [0, 1] are clamped. */
  decode(x: ArrayLike<number>): Params
}

export function createUnitCube(space: SearchSpace): UnitCube {
  const slots: UnitSlot[] = []
  let dimensions = 0
  for (const parameter of space) {
    const size = parameter.type === 'categorical' ? parameter.choices.length : 1
    slots.push({ parameter, start: dimensions, size })
    dimensions += size
  }
  return {
    dimensions,
    slots,
    encode(params) {
      const x = new Float64Array(dimensions)
      for (const slot of slots) {
        if (!encodeSlot(slot, params[slot.parameter.name], x)) return undefined
      }
      return x
    },
    decode(x) {
      const params: Record<string, ParamValue> = {}
      for (const slot of slots) params[slot.parameter.name] = decodeSlot(slot, x)
      return params
    },
  }
}

function encodeSlot(slot: UnitSlot, value: ParamValue | undefined, x: Float64Array): boolean {
  const p = slot.parameter
  if (p.type === 'categorical') {
    const index = typeof value === 'string' ? p.choices.indexOf(value) : -1
    if (index < 0) return false
    x[slot.start + index] = 1
    return true
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return false
  if (p.type === 'discrete') {
    const index = p.choices.indexOf(value)
    if (index < 0) return false
    x[slot.start] = (index + 0.5) / p.choices.length
    return true
  }
  x[slot.start] = numericToUnit(p, value)
  return true
}

function decodeSlot(slot: UnitSlot, x: ArrayLike<number>): ParamValue {
  const p = slot.parameter
  if (p.type === 'categorical') {
    let best = 0
    for (let i = 1; i < slot.size; i++) if (x[slot.start + i]! > x[slot.start + best]!) best = i
    return p.choices[best]!
  }
  const u = clampUnit(x[slot.start]!)
  if (p.type === 'discrete') return p.choices[Math.min(Math.floor(u * p.choices.length), p.choices.length - 1)]!
  return numericFromUnit(p, u)
}

/** Where `value` sits on the parameter's (log-)linear unit scale, clamped to [0, 1]. */
export function numericToUnit(p: NumericParameter, value: number): number {
  const { low, high } = drawRange(p)
  if (!(high > low)) return 0.5
  if (isLogScale(p)) return clampUnit((Math.log(value) - Math.log(low)) / (Math.log(high) - Math.log(low)))
  return clampUnit((value - low) / (high - low))
}

/** The legal value at coordinate `u` of the parameter's (log-)linear unit scale. */
export function numericFromUnit(p: NumericParameter, u: number): number {
  const t = clampUnit(u)
  return numericFromDraw(p, (low, high) =>
    isLogScale(p) ? Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * t) : low + (high - low) * t)
}

function isLogScale(p: NumericParameter): boolean {
  return p.distribution === 'logUniform' || p.distribution === 'logNormal'
}

function clampUnit(u: number): number {
  return Number.isNaN(u) ? 0.5 : Math.min(Math.max(u, 0), 1)
}
