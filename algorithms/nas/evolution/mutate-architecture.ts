import type { Architecture, ArchitectureSpace } from '../../../core/nas/architecture-space.ts'
import type { Rng } from '../../../core/rng.ts'

/** How many single changes an architecture of `space` has: another operation in one layer, or one skip flipped. */
export function mutationCounts(space: ArchitectureSpace): { readonly operation: number; readonly skip: number } {
  const layers = space.numLayers
  return {
    operation: space.operations.length > 1 ? layers * (space.operations.length - 1) : 0,
    skip: (layers * (layers - 1)) / 2,
  }
}

/**
 * The parent with exactly one thing changed: with probability `operationProbability` one
 * layer's operation (to another, uniformly), else one skip bit flipped (uniformly among all of
 * them). Where the space has only one kind of change, that kind is made; where it has none (one
 * layer, one operation) the parent comes back unchanged.
 */
export function mutateArchitecture(space: ArchitectureSpace, parent: Architecture, rng: Rng, operationProbability: number): Architecture {
  const counts = mutationCounts(space)
  if (counts.operation === 0 && counts.skip === 0) return parent
  const changeOperation = counts.skip === 0 || (counts.operation > 0 && rng.next() < operationProbability)
  const child = parent.map((layer) => [...layer])
  if (changeOperation) {
    const layer = rng.int(space.numLayers)
    const current = child[layer]![0]!
    const drawn = rng.int(space.operations.length - 1)
    child[layer]![0] = drawn >= current ? drawn + 1 : drawn
  } else {
    const [layer, earlier] = skipAt(rng.int(counts.skip))
    child[layer]![1 + earlier] = 1 - child[layer]![1 + earlier]!
  }
  return child
}

/** Every architecture one change away from `parent`, operations first, then skips, in layer order. */
export function allMutations(space: ArchitectureSpace, parent: Architecture): Architecture[] {
  const out: Architecture[] = []
  for (let layer = 0; layer < space.numLayers; layer++) {
    for (let op = 0; op < space.operations.length; op++) {
      if (op === parent[layer]![0]) continue
      const child = parent.map((row) => [...row])
      child[layer]![0] = op
      out.push(child)
    }
  }
  for (let layer = 1; layer < space.numLayers; layer++) {
    for (let earlier = 0; earlier < layer; earlier++) {
      const child = parent.map((row) => [...row])
      child[layer]![1 + earlier] = 1 - child[layer]![1 + earlier]!
      out.push(child)
    }
  }
  return out
}

/** The `index`-th skip bit, counted layer by layer: 0 is (layer 1, earlier 0), 1 is (2, 0), 2 is (2, 1)... */
function skipAt(index: number): [number, number] {
  let layer = 1
  while (index >= layer) {
    index -= layer
    layer++
  }
  return [layer, index]
}
