import { formatParamValue } from '../../core/search-space.ts'
import type { Parameter, ParamValue, Params, SearchSpace } from '../../core/search-space.ts'
import { numericGrid } from '../numeric-grid.ts'

/** The values of one parameter on the grid, computed on demand. */
export interface GridAxis {
  readonly size: number
  valueAt(i: number): ParamValue
}

/**
 * The Cartesian product of the axes, addressed by index in mixed radix with the first parameter
 * slowest, so a grid of 10^30 points costs nothing until a point is asked for. `size` loses
 * precision past 2^53, which does not matter: callers only walk it from 0.
 */
export interface GridPoints {
  readonly size: number
  pointAt(index: number): Params
}

/**
 * Katib's grid values: int → min..max by step (default 1); double → min, min+step, … ≤ max
 * (rounded to 15 digits, tolerant to float noise); categorical and discrete → the list, with
 * repeated entries dropped so every point is distinct. Undefined for a double without a step.
 */
export function gridAxis(p: Parameter): GridAxis | undefined {
  if (p.type === 'categorical' || p.type === 'discrete') {
    const seen = new Set<string>()
    const values = (p.choices as readonly ParamValue[]).filter((v) => {
      const key = formatParamValue(v)
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    return { size: values.length, valueAt: (i) => values[i]! }
  }
  const grid = numericGrid(p)
  return grid && { size: grid.count, valueAt: (i) => grid.valueAt(i) }
}

/** Undefined when some parameter has no grid (a double without a step). */
export function gridPoints(space: SearchSpace): GridPoints | undefined {
  const axes: GridAxis[] = []
  for (const p of space) {
    const axis = gridAxis(p)
    if (!axis) return undefined
    axes.push(axis)
  }
  return {
    size: axes.reduce((product, axis) => product * axis.size, 1),
    pointAt: (index) => {
      const values: ParamValue[] = new Array(axes.length)
      let rest = index
      for (let j = axes.length - 1; j >= 0; j--) {
        const size = axes[j]!.size
        values[j] = axes[j]!.valueAt(rest % size)
        rest = Math.floor(rest / size)
      }
      const params: Record<string, ParamValue> = {}
      space.forEach((p, j) => (params[p.name] = values[j]!))
      return params
    },
  }
}
