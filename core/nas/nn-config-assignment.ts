/**
 * Katib's `nn_config` assignment, as its ENAS service writes it (service.py): `json.dumps` of
 * {num_layers, input_sizes, output_sizes, embedding}, the embedding keyed by the operation id of
 * each layer in layer order (a repeated operation keeps its first place; keys are strings, as
 * json.dumps makes of Python's int keys), each entry {opt_id, opt_type, opt_params}; then every
 * `"` replaced by `'`. Categorical values are quoted (`'filter_size': '3'`), int and double
 * values bare (`'pool_size': 2`); non-ASCII text is `\uXXXX` (python-json.ts). Trials read it
 * as Katib's RunTrial.py does: `'` to `"`, then JSON, which fails for a value that itself
 * contains a quote: as in Katib, keep quotes out of operation names and values.
 */
import type { Architecture, ArchitectureSpace, NasOperation } from './architecture-space.ts'
import { NasAssignmentError } from './architecture-assignment.ts'
import { pythonJsonDumps, type PythonJson } from './python-json.ts'

export interface NnConfigOperation {
  readonly opt_id: number
  readonly opt_type: string
  readonly opt_params: Readonly<Record<string, string | number>>
}

/** nn_config as trials read it. */
export interface NnConfig {
  readonly num_layers: number
  readonly input_sizes: readonly number[]
  readonly output_sizes: readonly number[]
  /** By operation id, as a string. */
  readonly embedding: Readonly<Record<string, NnConfigOperation>>
}

export function formatNnConfig(space: ArchitectureSpace, architecture: Architecture): string {
  const embedding = new Map<number, NasOperation>()
  for (const layer of architecture) {
    const id = layer[0]!
    const operation = space.operations[id]
    if (!operation) throw new Error(`operation ${id} is not in the search space (${space.operations.length} operations)`)
    if (!embedding.has(id)) embedding.set(id, operation)
  }
  const document: PythonJson = {
    pairs: [
      ['num_layers', { int: space.numLayers }],
      ['input_sizes', space.inputSizes.map((n) => ({ int: n }))],
      ['output_sizes', space.outputSizes.map((n) => ({ int: n }))],
      ['embedding', { pairs: [...embedding].map(([id, operation]) => [String(id), operationJson(operation)] as const) }],
    ],
  }
  return pythonJsonDumps(document).replaceAll('"', "'")
}

function operationJson(operation: NasOperation): PythonJson {
  const numeric = new Set(operation.numeric ?? [])
  return {
    pairs: [
      ['opt_id', { int: operation.id }],
      ['opt_type', operation.type],
      ['opt_params', { pairs: Object.entries(operation.params).map(([name, value]) => [name, numeric.has(name) ? { raw: value } : value] as const) }],
    ],
  }
}

/** An nn_config assignment read as Katib's trials read it. */
export function parseNnConfig(text: string): NnConfig {
  let value: unknown
  try {
    value = JSON.parse(text.replaceAll("'", '"'))
  } catch (error) {
    throw new NasAssignmentError(`nn_config is not Katib's nn_config (JSON with ' for "): ${(error as Error).message}`)
  }
  const record = value as Partial<NnConfig> | null
  if (typeof record !== 'object' || record === null || typeof record.num_layers !== 'number' || typeof record.embedding !== 'object' || record.embedding === null) {
    throw new NasAssignmentError('nn_config needs num_layers, input_sizes, output_sizes and embedding')
  }
  return record as NnConfig
}
