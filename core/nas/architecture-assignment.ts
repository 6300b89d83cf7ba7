/**
 * Katib's `architecture` assignment, as its ENAS service writes it (service.py): the per-layer
 * lists `[operationId, skip_0, ..., skip_{i-1}]` through `json.dumps` (`[[27], [12, 0]]`,
 * Python's `, ` separators), then every `"` replaced by `'` (none occur). Trials read it back
 * as Katib's RunTrial.py does: `'` to `"`, then JSON.
 */
import type { Architecture, ArchitectureSpace } from './architecture-space.ts'
import { pythonJsonDumps } from './python-json.ts'

export function formatArchitecture(architecture: Architecture): string {
  return pythonJsonDumps(architecture.map((layer) => layer.map((value) => ({ int: value })))).replaceAll('"', "'")
}

/** Thrown by the parsers of Katib's NAS assignments, with what is wrong and where. */
export class NasAssignmentError extends Error {}

/**
 * An `architecture` assignment back as an Architecture: per layer i, i + 1 whole numbers, the
 * skips 0 or 1. With `space`: exactly its numLayers layers, each operation id one of its.
 */
export function parseArchitecture(text: string, space?: ArchitectureSpace): Architecture {
  let value: unknown
  try {
    value = JSON.parse(text.replaceAll("'", '"'))
  } catch {
    throw new NasAssignmentError(`architecture ${show(text)} is not a list of lists of numbers, such as [[27], [12, 0]]`)
  }
  if (!Array.isArray(value)) throw new NasAssignmentError(`architecture ${show(text)} is not a list of layers, such as [[27], [12, 0]]`)
  if (space && value.length !== space.numLayers) {
    throw new NasAssignmentError(`architecture ${show(text)} has ${value.length} layers; the search space has ${space.numLayers}`)
  }
  return value.map((layer: unknown, i) => {
    if (!Array.isArray(layer) || layer.length !== i + 1 || !layer.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw new NasAssignmentError(`architecture ${show(text)}: layer ${i} must be [operation id${i > 0 ? `, then ${i} skip bit${i > 1 ? 's' : ''} (0 or 1)` : ''}], got ${show(JSON.stringify(layer))}`)
    }
    const [operation, ...skips] = layer as number[]
    if (skips.some((bit) => bit > 1)) throw new NasAssignmentError(`architecture ${show(text)}: layer ${i}'s skips must be 0 or 1`)
    if (space && operation! >= space.operations.length) {
      throw new NasAssignmentError(`architecture ${show(text)}: layer ${i}'s operation ${operation} is not one of the ${space.operations.length} operations (0 to ${space.operations.length - 1})`)
    }
    return layer as number[]
  })
}

function show(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
}
