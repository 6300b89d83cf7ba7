import type { Architecture, ArchitectureSpace } from '../../core/nas/architecture-space.ts'
import type { Rng } from '../../core/rng.ts'

/** An architecture drawn uniformly: each layer's operation, and each skip a fair coin. */
export function sampleArchitecture(space: ArchitectureSpace, rng: Rng): Architecture {
  const layers: number[][] = []
  for (let layer = 0; layer < space.numLayers; layer++) {
    const row = [rng.int(space.operations.length)]
    for (let earlier = 0; earlier < layer; earlier++) row.push(rng.next() < 0.5 ? 1 : 0)
    layers.push(row)
  }
  return layers
}
