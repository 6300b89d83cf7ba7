/**
 * Draws one value of a parameter, with Katib's hyperopt distributions: uniform, logUniform,
 * normal with μ = (min+max)/2 and σ = (max−min)/6, logNormal the same in log space.
 *
 * Deviations from hyperopt, all so that a value is always a legal point of the declared space:
 * - normal and logNormal are truncated to [min, max] by resampling (hyperopt's are not; ±3σ
 *   keeps 99.7 %, so resampling is rare); after MAX_TRUNCATION_TRIES draws we clamp.
 * - With a step (ints: step 1 by default) values are `min + k·step` within bounds, not
 *   hyperopt's `round(x/q)·q`, which ignores min and can leave the range. Each grid point gets
 *   the probability mass of its cell [v − step/2, v + step/2] (the last cell ends half a step
 *   past the last point), so uniform is exactly uniform over the points and logUniform on ints
 *   is Optuna's "sample log-uniformly on [min−0.5, max+0.5] and round". When a log cell would
 *   reach 0 (min ≤ step/2) the first cell starts at min instead.
 * - Doubles are rounded to 15 significant digits (see `roundTripSafe`).
 */
import type { Rng } from '../core/rng.ts'
import type { NumericParameter, Parameter, ParamValue, Params, SearchSpace } from '../core/search-space.ts'
import { numericGrid, roundTripSafe } from './numeric-grid.ts'

const MAX_TRUNCATION_TRIES = 64

export function sampleParameter(p: Parameter, rng: Rng): ParamValue {
  if (p.type === 'categorical' || p.type === 'discrete') {
    if (p.choices.length === 0) throw new RangeError(`parameter "${p.name}" has no values to choose from`)
    return p.choices[rng.int(p.choices.length)]!
  }
  return sampleNumeric(p, rng)
}

/** One value per parameter, drawn independently, keys in space order. */
export function sampleParams(space: SearchSpace, rng: Rng): Params {
  const params: Record<string, ParamValue> = {}
  for (const p of space) params[p.name] = sampleParameter(p, rng)
  return params
}

function sampleNumeric(p: NumericParameter, rng: Rng): number {
  return numericFromDraw(p, (low, high) => sampleContinuous(p, low, high, rng))
}

/**
 * A numeric parameter's value from a continuous draw on [low, high]: checks the bounds, then
 * either clamps (no grid) or snaps to the step grid, each grid point owning the half-step cell
 * around it so uniform draws are uniform over the points. Shared by random and quasi-random
 * samplers, which differ only in how they draw.
 */
export function numericFromDraw(p: NumericParameter, draw: (low: number, high: number) => number): number {
  if (p.max < p.min) throw new RangeError(`parameter "${p.name}" has min ${p.min} > max ${p.max}`)
  const isLog = p.distribution === 'logUniform' || p.distribution === 'logNormal'
  if (isLog && !(p.min > 0)) throw new RangeError(`parameter "${p.name}" has a ${p.distribution} distribution and needs min > 0, got ${p.min}`)
  const grid = numericGrid(p)
  if (grid === undefined || !Number.isFinite(grid.count)) {
    if (p.min === p.max) return p.min
    return Math.min(Math.max(roundTripSafe(draw(p.min, p.max)), p.min), p.max)
  }
  if (grid.count === 0) throw new RangeError(`parameter "${p.name}" has no value between min ${p.min} and max ${p.max} with step ${grid.step}`)
  const { low, high } = gridDrawRange(p, grid.step, grid.count, isLog)
  const x = draw(low, high)
  return grid.valueAt(Math.min(Math.max(Math.round((x - p.min) / grid.step), 0), grid.count - 1))
}

/**
 * The continuous range `numericFromDraw` draws from: [min, max] without a grid; with one, the
 * grid's span widened by half a step each side (the first cell starting at min on a log scale
 * when a half step would reach 0). Algorithms that model in a continuous box use it as theirs.
 */
export function drawRange(p: NumericParameter): { readonly low: number; readonly high: number } {
  const grid = numericGrid(p)
  if (grid === undefined || !Number.isFinite(grid.count) || grid.count === 0) return { low: p.min, high: p.max }
  return gridDrawRange(p, grid.step, grid.count, p.distribution === 'logUniform' || p.distribution === 'logNormal')
}

function gridDrawRange(p: NumericParameter, step: number, count: number, isLog: boolean): { low: number; high: number } {
  const lowEdge = p.min - step / 2
  return { low: isLog && lowEdge <= 0 ? p.min : lowEdge, high: p.min + (count - 1) * step + step / 2 }
}

/** A draw from the parameter's distribution restricted to [low, high]; μ and σ come from min/max. */
function sampleContinuous(p: NumericParameter, low: number, high: number, rng: Rng): number {
  switch (p.distribution) {
    case 'uniform':
      return low + (high - low) * rng.next()
    case 'logUniform':
      return Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * rng.next())
    case 'normal':
      return truncatedNormal((p.min + p.max) / 2, (p.max - p.min) / 6, low, high, rng)
    case 'logNormal': {
      const logMin = Math.log(p.min)
      const logMax = Math.log(p.max)
      return Math.exp(truncatedNormal((logMin + logMax) / 2, (logMax - logMin) / 6, Math.log(low), Math.log(high), rng))
    }
  }
}

/** N(mu, σ²) restricted to [low, high] by rejection; clamped after MAX_TRUNCATION_TRIES misses. */
export function truncatedNormal(mu: number, sigma: number, low: number, high: number, rng: Rng): number {
  let x = mu
  for (let i = 0; i < MAX_TRUNCATION_TRIES; i++) {
    x = mu + sigma * rng.normal()
    if (x >= low && x <= high) return x
  }
  return Math.min(Math.max(x, low), high)
}
