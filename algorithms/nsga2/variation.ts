/**
 * NSGA-II's variation operators on TPE's model coordinates (`tpe-space.ts`: numeric values, or
 * their logs, between the outer cell edges of a step grid; categorical and discrete values as a
 * choice index), producing one child from two parents.
 *
 * - Crossover, with probability `crossoverProbability` (else the child is the first parent):
 *   `sbx`, simulated binary crossover (Deb & Agrawal 1995, the bounded form of Deb's NSGA-II
 *   code: each numeric coordinate crossed with probability 1/2, spread index ETA_C) for numeric
 *   dimensions and a uniform swap for categorical ones; or `uniform`, every coordinate taken
 *   from the second parent with probability `swappingProbability` (Optuna's default operator).
 * - Mutation, each coordinate with probability `mutationProbability`: polynomial mutation (Deb &
 *   Goyal 1996, distribution index ETA_M) for numeric dimensions, a different choice drawn
 *   uniformly for categorical ones.
 *
 * Values land on the grid through `snap`, as every suggestion does.
 */
import type { Rng } from '../../core/rng.ts'
import type { TpeDimension } from '../tpe/tpe-space.ts'

export type Crossover = 'sbx' | 'uniform'

export interface VariationOptions {
  readonly crossover: Crossover
  readonly crossoverProbability: number
  readonly swappingProbability: number
  readonly mutationProbability: number
}

// Deb's usual indices: children near their parents (ETA_C) and small mutations (ETA_M).
export const ETA_C = 15
export const ETA_M = 20

export function makeChild(
  dimensions: readonly TpeDimension[],
  first: Float64Array,
  second: Float64Array,
  options: VariationOptions,
  rng: Rng,
  snap: (dimension: number, x: number) => number,
): Float64Array {
  const child = Float64Array.from(first)
  if (rng.next() < options.crossoverProbability) {
    for (let j = 0; j < dimensions.length; j++) {
      const dim = dimensions[j]!
      if (options.crossover === 'uniform' || dim.kind === 'categorical') {
        if (rng.next() < options.swappingProbability) child[j] = second[j]!
      } else if (rng.next() < 0.5) {
        child[j] = simulatedBinary(first[j]!, second[j]!, dim.low, dim.high, rng)
      }
    }
  }
  for (let j = 0; j < dimensions.length; j++) {
    if (!(rng.next() < options.mutationProbability)) continue
    const dim = dimensions[j]!
    if (dim.kind === 'categorical') {
      const other = rng.int(dim.size - 1)
      child[j] = other >= child[j]! ? other + 1 : other
    } else {
      child[j] = polynomialMutation(child[j]!, dim.low, dim.high, rng)
    }
  }
  for (let j = 0; j < dimensions.length; j++) child[j] = snap(j, child[j]!)
  return child
}

/** One child of SBX between a and b within [low, high] (either of the pair, at random). */
function simulatedBinary(a: number, b: number, low: number, high: number, rng: Rng): number {
  const y1 = Math.min(a, b)
  const y2 = Math.max(a, b)
  if (!(y2 - y1 > 1e-14 * (high - low))) return a
  const u = rng.next()
  const spread = (beta: number): number => {
    const alpha = 2 - beta ** -(ETA_C + 1)
    return u <= 1 / alpha ? (u * alpha) ** (1 / (ETA_C + 1)) : (1 / (2 - u * alpha)) ** (1 / (ETA_C + 1))
  }
  const c1 = 0.5 * (y1 + y2 - spread(1 + (2 * (y1 - low)) / (y2 - y1)) * (y2 - y1))
  const c2 = 0.5 * (y1 + y2 + spread(1 + (2 * (high - y2)) / (y2 - y1)) * (y2 - y1))
  const child = rng.next() < 0.5 ? c1 : c2
  return Math.min(Math.max(child, low), high)
}

/** Deb's bounded polynomial mutation of y within [low, high]. */
function polynomialMutation(y: number, low: number, high: number, rng: Rng): number {
  const range = high - low
  if (!(range > 0)) return y
  const u = rng.next()
  const power = 1 / (ETA_M + 1)
  let delta: number
  if (u < 0.5) {
    const xy = 1 - (y - low) / range
    delta = (2 * u + (1 - 2 * u) * xy ** (ETA_M + 1)) ** power - 1
  } else {
    const xy = 1 - (high - y) / range
    delta = 1 - (2 * (1 - u) + 2 * (u - 0.5) * xy ** (ETA_M + 1)) ** power
  }
  return Math.min(Math.max(y + delta * range, low), high)
}
