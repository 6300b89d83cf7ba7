/**
 * Katib's two NAS assignments, read as its ENAS trial program (RunTrial.py) reads them: the
 * suggestion service writes them as JSON with every `"` turned into `'`, and the trial turns them
 * back before parsing.
 *
 * - architecture: per layer `[operation_id, skip_0, ..., skip_{i-1}]`, e.g. `[[2], [0, 1]]`.
 * - nn_config: `{'num_layers': 2, 'input_sizes': [64], 'output_sizes': [10], 'embedding':
 *   {'2': {'opt_id': 2, 'opt_type': 'dense', 'opt_params': {'units': 32, 'activation': 'relu'}}}}`;
 *   the embedding lists the operations the architecture uses. A parameter from an int range
 *   arrives as a number, one from a categorical list as a string.
 *
 * Everything is checked before training starts; an error names the flag, the place in the value
 * (a JSON path) and what was expected.
 */
export class NasArgumentError extends Error {}

export type Architecture = readonly (readonly number[])[]

export interface NnOperation {
  readonly type: string
  readonly params: Readonly<Record<string, string | number>>
}

export interface NnConfig {
  readonly numLayers: number
  readonly inputSizes: readonly number[]
  readonly outputSizes: readonly number[]
  /** By operation id. */
  readonly embedding: ReadonlyMap<number, NnOperation>
}

const ARCHITECTURE_EXAMPLE = 'per layer [operation_id, skip...], e.g. [[2], [0, 1], [5, 1, 0]]'

function parseKatibJson(flag: string, value: string, expected: string): unknown {
  try {
    return JSON.parse(value.replace(/'/g, '"'))
  } catch (error) {
    throw new NasArgumentError(`--${flag} is not JSON (Katib's format, with ' for "): ${(error as Error).message}; expected ${expected}; got ${JSON.stringify(value)}`)
  }
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

export function parseArchitecture(value: string): Architecture {
  const parsed = parseKatibJson('architecture', value, ARCHITECTURE_EXAMPLE)
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new NasArgumentError(`--architecture must be a non-empty list of layers, ${ARCHITECTURE_EXAMPLE}; got ${JSON.stringify(value)}`)
  }
  parsed.forEach((layer: unknown, i) => {
    if (!Array.isArray(layer) || layer.length !== i + 1) {
      throw new NasArgumentError(
        `--architecture [${i}]: layer ${i} must be a list of ${i + 1} numbers (its operation id, then one skip bit per earlier layer); got ${JSON.stringify(layer)}`,
      )
    }
    if (!isNonNegativeInteger(layer[0])) {
      throw new NasArgumentError(`--architecture [${i}][0]: the operation id must be an integer 0 or more; got ${JSON.stringify(layer[0])}`)
    }
    layer.slice(1).forEach((bit: unknown, j) => {
      if (bit !== 0 && bit !== 1) throw new NasArgumentError(`--architecture [${i}][${j + 1}]: a skip bit must be 0 or 1; got ${JSON.stringify(bit)}`)
    })
  })
  return parsed as number[][]
}

function positiveIntegers(path: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => isNonNegativeInteger(v) && v > 0)) {
    throw new NasArgumentError(`--nn_config ${path}: expected a non-empty list of positive integers; got ${JSON.stringify(value)}`)
  }
  return value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function parseNnConfig(value: string): NnConfig {
  const parsed = parseKatibJson('nn_config', value, "{'num_layers': ..., 'input_sizes': [...], 'output_sizes': [...], 'embedding': {...}}")
  if (!isRecord(parsed)) throw new NasArgumentError(`--nn_config must be an object with num_layers, input_sizes, output_sizes and embedding; got ${JSON.stringify(value)}`)
  const numLayers = parsed.num_layers
  if (!isNonNegativeInteger(numLayers) || numLayers === 0) {
    throw new NasArgumentError(`--nn_config .num_layers: expected a positive integer; got ${JSON.stringify(numLayers)}`)
  }
  const inputSizes = positiveIntegers('.input_sizes', parsed.input_sizes)
  const outputSizes = positiveIntegers('.output_sizes', parsed.output_sizes)
  if (!isRecord(parsed.embedding)) {
    throw new NasArgumentError(`--nn_config .embedding: expected an object of operations by id; got ${JSON.stringify(parsed.embedding)}`)
  }
  const embedding = new Map<number, NnOperation>()
  for (const [key, entry] of Object.entries(parsed.embedding)) {
    const path = `.embedding[${JSON.stringify(key)}]`
    if (!/^\d+$/.test(key)) throw new NasArgumentError(`--nn_config ${path}: operation ids are integers 0 or more`)
    if (!isRecord(entry) || typeof entry.opt_type !== 'string' || !isRecord(entry.opt_params)) {
      throw new NasArgumentError(`--nn_config ${path}: expected {'opt_id': ${key}, 'opt_type': ..., 'opt_params': {...}}; got ${JSON.stringify(entry)}`)
    }
    const params: Record<string, string | number> = {}
    for (const [name, param] of Object.entries(entry.opt_params)) {
      if (typeof param !== 'string' && typeof param !== 'number') {
        throw new NasArgumentError(`--nn_config ${path}.opt_params.${name}: expected a string or a number; got ${JSON.stringify(param)}`)
      }
      params[name] = param
    }
    embedding.set(Number(key), { type: entry.opt_type, params })
  }
  return { numLayers, inputSizes, outputSizes, embedding }
}

/** The checks that need both values: as many layers as num_layers, every operation described. */
export function checkArchitectureAgainstConfig(architecture: Architecture, config: NnConfig): void {
  if (architecture.length !== config.numLayers) {
    throw new NasArgumentError(`--architecture has ${architecture.length} layers but --nn_config's num_layers is ${config.numLayers}`)
  }
  architecture.forEach((layer, i) => {
    if (!config.embedding.has(layer[0]!)) {
      throw new NasArgumentError(
        `--architecture [${i}][0]: operation ${layer[0]} is not in --nn_config's embedding (it describes ${[...config.embedding.keys()].join(', ') || 'none'})`,
      )
    }
  })
}
