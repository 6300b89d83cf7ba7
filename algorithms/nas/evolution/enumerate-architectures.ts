import type { Architecture, ArchitectureSpace } from '../../../core/nas/architecture-space.ts'

/** How many architectures `space` has: operations^layers · 2^skips (Infinity past 2^53). */
export function spaceSize(space: ArchitectureSpace): number {
  const skips = (space.numLayers * (space.numLayers - 1)) / 2
  return space.operations.length ** space.numLayers * 2 ** skips
}

/**
 * The `index`-th architecture of `space`, 0 <= index < spaceSize(space), in mixed radix: the
 * skips vary fastest (layer by layer), then the operations, the last layer's fastest.
 */
export function architectureAt(space: ArchitectureSpace, index: number): Architecture {
  const layers: number[][] = []
  for (let layer = 0; layer < space.numLayers; layer++) layers.push([0, ...new Array<number>(layer).fill(0)])
  let rest = index
  for (let layer = space.numLayers - 1; layer >= 0; layer--) {
    for (let earlier = layer - 1; earlier >= 0; earlier--) {
      layers[layer]![1 + earlier] = rest % 2
      rest = Math.floor(rest / 2)
    }
  }
  for (let layer = space.numLayers - 1; layer >= 0; layer--) {
    layers[layer]![0] = rest % space.operations.length
    rest = Math.floor(rest / space.operations.length)
  }
  return layers
}
