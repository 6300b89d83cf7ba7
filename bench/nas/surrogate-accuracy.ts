import type { Architecture, ArchitectureSpace, NasOperation } from '../../core/nas/architecture-space.ts'

/**
 * The benchmark's stand-in for training a network: a deterministic, noise-free score of an
 * architecture over enas-cpu's operations, written as rules of thumb about small CNNs so that
 * its optimum is a plausible network, and built only from terms per layer, per pair of
 * neighbouring layers, per layer's skips and one over the whole network, so that its best and
 * worst architectures are found exactly by dynamic programming (surrogate-extremes.ts).
 *
 * - per layer (p = depth in [0, 1]): separable > convolution > depthwise > reduction; filters
 *   wide early and 3×3 late; num_filter growing from 32 to 128 with depth; depth_multiplier 2
 *   helps; a stride-2 layer in the first third costs; max pooling beats average;
 * - neighbours: two downsamplings in a row cost, so does repeating the operation type or
 *   narrowing the width;
 * - skips, read as Katib reads them (docs/nas.md: row i is layer i + 1, which always reads
 *   layer i, and its skip bit k adds layer k, the input for k = 0): the one from two layers
 *   back (k = i − 1) adds little (a small cost); longer ones help a convolution and hurt a
 *   reduction; any skip into a stride-2 layer costs, and more than two into a layer cost;
 * - the whole network should downsample (stride 2 or reduction) round(L/3) times.
 *
 * These terms interact: a layer's best operation depends on its neighbours', its skips' value
 * on its operation, and every downsampling on all the others. `surrogateAccuracy` maps the
 * score linearly onto [0.10, 0.95], the worst architecture to 0.10 and the best to 0.95.
 */
export function surrogateScore(space: ArchitectureSpace, architecture: Architecture): number {
  let score = 0
  let downsamplings = 0
  for (let layer = 0; layer < space.numLayers; layer++) {
    const row = architecture[layer]!
    const op = space.operations[row[0]!]!
    score += layerTerm(layer, space.numLayers, op)
    if (layer > 0) score += neighbourTerm(space.operations[architecture[layer - 1]![0]!]!, op)
    score += skipTerm(layer, op, row.slice(1))
    if (isDownsampling(op)) downsamplings++
  }
  return score + downsamplingTerm(downsamplings, space.numLayers)
}

/** The score mapped onto accuracy: `extremes` from surrogateExtremes(space). */
export function surrogateAccuracy(space: ArchitectureSpace, architecture: Architecture, extremes: { readonly min: number; readonly max: number }): number {
  return ACCURACY_FLOOR + (ACCURACY_BEST - ACCURACY_FLOOR) * (surrogateScore(space, architecture) - extremes.min) / (extremes.max - extremes.min)
}

export const ACCURACY_FLOOR = 0.1
export const ACCURACY_BEST = 0.95

const TYPE_VALUE: Readonly<Record<string, number>> = { separable_convolution: 0.6, convolution: 0.5, depthwise_convolution: 0.2, reduction: 0 }

export function layerTerm(layer: number, numLayers: number, op: NasOperation): number {
  const depth = numLayers === 1 ? 0 : layer / (numLayers - 1)
  let value = TYPE_VALUE[op.type] ?? 0
  const filter = numberParam(op, 'filter_size')
  if (filter !== undefined) value -= 0.075 * Math.abs(filter - (7 - 4 * depth))
  const width = numberParam(op, 'num_filter')
  if (width !== undefined) value -= 0.3 * Math.abs(Math.log2(width) - (5 + 2 * depth))
  if (numberParam(op, 'depth_multiplier') === 2) value += op.type === 'depthwise_convolution' ? 0.15 : 0.1
  if (op.type === 'reduction') {
    if (op.params['reduction_type'] === 'max_pooling') value += 0.1
    if (numberParam(op, 'pool_size') === (depth > 0.5 ? 3 : 2)) value += 0.05
  }
  if (numberParam(op, 'stride') === 2 && depth < 0.3) value -= 0.2
  return value
}

export function neighbourTerm(previous: NasOperation, op: NasOperation): number {
  let value = 0
  if (isDownsampling(previous) && isDownsampling(op)) value -= 0.3
  if (previous.type === op.type) value -= 0.1
  const before = numberParam(previous, 'num_filter')
  const after = numberParam(op, 'num_filter')
  if (before !== undefined && after !== undefined && after < before) value -= 0.1
  return value
}

/** The skip bits of row `layer` (`skips[k]` = 1: Katib's layer k, the input for k = 0, is added to its input). */
export function skipTerm(layer: number, op: NasOperation, skips: readonly number[]): number {
  let value = 0
  let count = 0
  for (let earlier = 0; earlier < skips.length; earlier++) {
    if (skips[earlier] !== 1) continue
    count++
    // Bit layer − 1 is the nearest skip a row has: two layers back.
    if (layer - earlier === 1) value -= 0.05
    else value += op.type === 'reduction' ? -0.1 : 0.12
    if (numberParam(op, 'stride') === 2) value -= 0.05
  }
  return value - 0.15 * Math.max(0, count - 2)
}

export function downsamplingTerm(downsamplings: number, numLayers: number): number {
  return -0.35 * Math.abs(downsamplings - Math.round(numLayers / 3))
}

export function isDownsampling(op: NasOperation): boolean {
  return op.type === 'reduction' || numberParam(op, 'stride') === 2
}

function numberParam(op: NasOperation, name: string): number | undefined {
  const text = op.params[name]
  return text === undefined ? undefined : Number(text)
}
