import type { Architecture, ArchitectureSpace } from '../../core/nas/architecture-space.ts'
import { downsamplingTerm, isDownsampling, layerTerm, neighbourTerm, skipTerm } from './surrogate-accuracy.ts'

export interface SurrogateExtremes {
  readonly max: number
  readonly min: number
  /** An architecture scoring `max`. */
  readonly best: Architecture
  readonly worst: Architecture
}

/**
 * The surrogate's best and worst score, exactly: the score is a sum of terms per layer, per
 * neighbouring pair, per layer's skips and of the downsampling count, so a dynamic programme over
 * (layer, its operation, downsamplings so far) finds both, with each layer's skips chosen
 * for its operation (they touch nothing else). Cost: layers² · operations² steps, plus
 * operations · 2^(layers−1) skip patterns, well under a second for 8 layers of enas-cpu.
 */
export function surrogateExtremes(space: ArchitectureSpace): SurrogateExtremes {
  const high = extreme(space, 1)
  const low = extreme(space, -1)
  return { max: high.value, best: high.architecture, min: -low.value, worst: low.architecture }
}

interface Cell {
  readonly value: number
  /** Operation of the previous layer and downsamplings before this layer, for the path back. */
  readonly from?: readonly [number, number]
}

/** max of sign · score, and where. */
function extreme(space: ArchitectureSpace, sign: 1 | -1): { value: number; architecture: Architecture } {
  const ops = space.operations
  const layers = space.numLayers
  const skips = Array.from({ length: layers }, (_, layer) => ops.map((op) => bestSkips(layer, (pattern) => sign * skipTerm(layer, op, pattern))))
  // table[layer][op][d]: best sign · score of layers 0..layer with `op` at `layer` and d downsamplings among them.
  const table: (Cell | undefined)[][][] = []
  for (let layer = 0; layer < layers; layer++) {
    const row: (Cell | undefined)[][] = ops.map(() => new Array<Cell | undefined>(layers + 1).fill(undefined))
    ops.forEach((op, o) => {
      const own = sign * layerTerm(layer, layers, op) + skips[layer]![o]!.value
      const down = isDownsampling(op) ? 1 : 0
      if (layer === 0) {
        row[o]![down] = { value: own }
        return
      }
      ops.forEach((previous, p) => {
        const pair = own + sign * neighbourTerm(previous, op)
        table[layer - 1]![p]!.forEach((cell, d) => {
          if (cell === undefined) return
          const value = cell.value + pair
          const current = row[o]![d + down]
          if (current === undefined || value > current.value) row[o]![d + down] = { value, from: [p, d] }
        })
      })
    })
    table.push(row)
  }
  let end: { value: number; op: number; d: number } | undefined
  table[layers - 1]!.forEach((cells, o) => cells.forEach((cell, d) => {
    if (cell === undefined) return
    const value = cell.value + sign * downsamplingTerm(d, layers)
    if (end === undefined || value > end.value) end = { value, op: o, d }
  }))
  const architecture: number[][] = new Array<number[]>(layers)
  let op = end!.op
  let d = end!.d
  for (let layer = layers - 1; layer >= 0; layer--) {
    architecture[layer] = [op, ...skips[layer]![op]!.pattern]
    const from = table[layer]![op]![d]!.from
    if (from) [op, d] = from
  }
  return { value: end!.value, architecture }
}

/** The skip pattern of `layer` (one bit per earlier layer) with the highest `value`. */
function bestSkips(layer: number, value: (pattern: readonly number[]) => number): { value: number; pattern: number[] } {
  let best = { value: -Infinity, pattern: [] as number[] }
  for (let mask = 0; mask < 2 ** layer; mask++) {
    const pattern = Array.from({ length: layer }, (_, j) => (mask >> j) & 1)
    const v = value(pattern)
    if (v > best.value) best = { value: v, pattern }
  }
  return best
}
