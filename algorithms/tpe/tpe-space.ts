/**
 * The search space as TPE models it: every parameter that can vary becomes one model dimension,
 * numeric ones in an internal coordinate (the log for logUniform and logNormal, the value
 * otherwise), categorical and discrete ones as a choice index.
 *
 * normal and logNormal are modelled like uniform and logUniform over [min, max]: their shape
 * only matters for the random startup trials, which `sampleParams` draws from it. Parameters
 * with a single possible value are kept out of the model and always get that value.
 *
 * A stepped parameter (ints: step 1) owns, per grid point, the cell [v − step/2, v + step/2],
 * exactly as `numericFromDraw` snaps draws; so the model bounds are the outer cell edges
 * (Optuna's half-step widening), a continuous draw maps to the grid point whose cell holds it,
 * and a grid point's probability is its cell's mass.
 */
import type { NumericParameter, Parameter, ParamValue, Params, SearchSpace } from '../../core/search-space.ts'
import { numericGrid } from '../numeric-grid.ts'
import { numericFromDraw } from '../sample-parameter.ts'

export interface TpeNumericDimension {
  readonly kind: 'numeric'
  readonly parameter: NumericParameter
  readonly log: boolean
  /** Model bounds in internal coordinates (outer cell edges for a stepped parameter). */
  readonly low: number
  readonly high: number
  /** Grid spacing in the parameter's own units; undefined when continuous. */
  readonly step: number | undefined
}

export interface TpeCategoricalDimension {
  readonly kind: 'categorical'
  readonly parameter: Parameter
  readonly size: number
}

export type TpeDimension = TpeNumericDimension | TpeCategoricalDimension

export class TpeSpace {
  /** The dimensions the model sees, in space order. */
  readonly dimensions: readonly TpeDimension[]
  private readonly space: SearchSpace
  /** Per space parameter: its model dimension, or −1 when it has a single value. */
  private readonly dimensionOf: readonly number[]
  private readonly fixedValues: readonly (ParamValue | undefined)[]
  private readonly choiceIndex: readonly (Map<ParamValue, number> | undefined)[]

  constructor(space: SearchSpace) {
    this.space = space
    const dimensions: TpeDimension[] = []
    const dimensionOf: number[] = []
    const fixedValues: (ParamValue | undefined)[] = []
    const choiceIndex: (Map<ParamValue, number> | undefined)[] = []
    for (const p of space) {
      const dimension = modelDimension(p)
      dimensionOf.push(dimension ? dimensions.length : -1)
      if (dimension) dimensions.push(dimension)
      fixedValues.push(dimension ? undefined : singleValue(p))
      choiceIndex.push(p.type === 'categorical' || p.type === 'discrete' ? indexChoices(p.choices) : undefined)
    }
    this.dimensions = dimensions
    this.dimensionOf = dimensionOf
    this.fixedValues = fixedValues
    this.choiceIndex = choiceIndex
  }

  /**
   * Writes a trial's coordinates into `out` at `offset`; false (leaving garbage) when a value is
   * missing or illegal for the space, so the trial is left out of the model.
   */
  encode(params: Params, out: Float64Array, offset: number): boolean {
    for (let i = 0; i < this.space.length; i++) {
      const d = this.dimensionOf[i]!
      if (d < 0) continue
      const p = this.space[i]!
      const raw = params[p.name]
      const dimension = this.dimensions[d]!
      if (dimension.kind === 'categorical') {
        const index = this.choiceIndex[i]!.get(raw as ParamValue)
        if (index === undefined) return false
        out[offset + d] = index
        continue
      }
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
      if (!Number.isFinite(value) || (dimension.log && !(value > 0))) return false
      const clamped = Math.min(Math.max(value, dimension.parameter.min), dimension.parameter.max)
      out[offset + d] = dimension.log ? Math.log(clamped) : clamped
    }
    return true
  }

  /** The parameter values at a model point (numeric coordinates are snapped and clamped). */
  decode(point: Float64Array, offset: number): Params {
    const params: Record<string, ParamValue> = {}
    for (let i = 0; i < this.space.length; i++) {
      const p = this.space[i]!
      const d = this.dimensionOf[i]!
      params[p.name] = d < 0 ? this.fixedValues[i]! : this.valueAt(d, point[offset + d]!)
    }
    return params
  }

  /** The value of dimension `d` at internal coordinate `x`. */
  valueAt(d: number, x: number): ParamValue {
    const dimension = this.dimensions[d]!
    if (dimension.kind === 'categorical') {
      const p = dimension.parameter as Extract<Parameter, { choices: unknown }>
      return p.choices[Math.min(Math.max(Math.round(x), 0), dimension.size - 1)]!
    }
    return numericFromDraw(dimension.parameter, () => (dimension.log ? Math.exp(x) : x))
  }

  /** The internal coordinate of the legal value nearest to `x` (grid point, bound). */
  snap(d: number, x: number): number {
    const dimension = this.dimensions[d]!
    if (dimension.kind === 'categorical') return Math.min(Math.max(Math.round(x), 0), dimension.size - 1)
    const value = this.valueAt(d, x) as number
    return dimension.log ? Math.log(value) : value
  }
}

function modelDimension(p: Parameter): TpeDimension | undefined {
  if (p.type === 'categorical' || p.type === 'discrete') {
    return p.choices.length > 1 ? { kind: 'categorical', parameter: p, size: p.choices.length } : undefined
  }
  const log = p.distribution === 'logUniform' || p.distribution === 'logNormal'
  const grid = numericGrid(p)
  if (grid === undefined || !Number.isFinite(grid.count)) {
    if (!(p.max > p.min)) return undefined
    return { kind: 'numeric', parameter: p, log, low: log ? Math.log(p.min) : p.min, high: log ? Math.log(p.max) : p.max, step: undefined }
  }
  if (grid.count <= 1) return undefined
  // The same outer edges `numericFromDraw` draws between, so cells and snapping agree.
  const lowEdge = p.min - grid.step / 2
  const low = log && lowEdge <= 0 ? p.min : lowEdge
  const high = p.min + (grid.count - 1) * grid.step + grid.step / 2
  return { kind: 'numeric', parameter: p, log, low: log ? Math.log(low) : low, high: log ? Math.log(high) : high, step: grid.step }
}

function singleValue(p: Parameter): ParamValue {
  if (p.type === 'categorical' || p.type === 'discrete') {
    if (p.choices.length === 0) throw new RangeError(`parameter "${p.name}" has no values to choose from`)
    return p.choices[0]!
  }
  return numericFromDraw(p, (low) => low)
}

/** Choice → index; numbers also match their string form, as older records may hold strings. */
function indexChoices(choices: readonly ParamValue[]): Map<ParamValue, number> {
  const index = new Map<ParamValue, number>()
  choices.forEach((choice, i) => {
    if (!index.has(choice)) index.set(choice, i)
    if (typeof choice === 'number' && !index.has(String(choice))) index.set(String(choice), i)
  })
  return index
}
