import { formatParamValue } from '../core/search-space.ts'
import type { Params, SearchSpace } from '../core/search-space.ts'

/**
 * A string identifying a parameter set by value, for "was this point tried already?".
 * Values are compared as Katib prints them (15 significant digits), so float noise such as
 * `0.030000000000000002` matches `0.03`; numeric strings from older records match numbers.
 * Keys ignore parameters outside the space and are built in space order.
 */
export function paramsKey(space: SearchSpace, params: Params): string {
  return JSON.stringify(
    space.map((p) => {
      const value = params[p.name]
      if (value === undefined) return null
      if (p.type !== 'categorical' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        return formatParamValue(Number(value))
      }
      return formatParamValue(value)
    }),
  )
}
