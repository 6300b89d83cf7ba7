/**
 * Reads a NAS trial's assignments back for display: `architecture` (per layer
 * `[operationId, skip_0, ..., skip_{i-1}]`) and `nn_config` (num_layers, input_sizes,
 * output_sizes and an `embedding` from operation id to `opt_type` and `opt_params`), both in
 * Katib's ENAS format: JSON with its double quotes turned into single ones. Katib's own trial
 * programs read them back by turning the quotes around again; so does this. The dashboard may
 * import no project code that runs (it talks HTTP only), hence this small reader of its own.
 *
 * Layers are numbered as Katib's ENAS reads an architecture (its README: "layer 0 is the input";
 * its trial's ModelConstructor): row i is layer i + 1, which always reads layer i, and its skip
 * bit k adds layer k, the input for k = 0. core/nas/describe-architecture.ts (the CLI) numbers them
 * the same way.
 */

export interface NasLayer {
  /** Katib's layer number: 1 for the architecture's first row (0 is the input). */
  readonly index: number
  readonly operationId: number
  /** `opt_type` from nn_config's embedding; undefined when nn_config does not describe the id. */
  readonly type: string | undefined
  /** `opt_params` as printed (Katib writes categorical values as strings, int ranges as numbers). */
  readonly params: Readonly<Record<string, string>>
  /** The earlier layers whose skip bit is set, by Katib's number (0: the input). */
  readonly skips: readonly number[]
}

export interface NasArchitecture {
  readonly layers: readonly NasLayer[]
  readonly inputSizes: readonly number[] | undefined
  readonly outputSizes: readonly number[] | undefined
}

export type ArchitectureReading = { readonly ok: true; readonly architecture: NasArchitecture } | { readonly ok: false; readonly reason: string }

/** The parameter names Katib's ENAS service gives every NAS trial. */
export const ARCHITECTURE_PARAM = 'architecture'
export const NN_CONFIG_PARAM = 'nn_config'
/** Shown as the architecture they describe rather than as raw strings. */
export const NAS_ASSIGNMENTS: ReadonlySet<string> = new Set([ARCHITECTURE_PARAM, NN_CONFIG_PARAM])

/** Katib's single-quoted JSON (or plain JSON): the value, or undefined when it is neither. */
export function parseKatibJson(text: string): unknown {
  for (const candidate of [text, text.replaceAll("'", '"')]) {
    try {
      return JSON.parse(candidate)
    } catch {
      // Try the next reading.
    }
  }
  return undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const numbers = (value: unknown): number[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'number') ? value as number[] : undefined

export function readArchitecture(architecture: string, nnConfig: string | undefined): ArchitectureReading {
  const arc = parseKatibJson(architecture)
  if (!Array.isArray(arc) || arc.length === 0) return { ok: false, reason: 'not a list of layers' }
  const layersIn: number[][] = []
  for (const [i, layer] of arc.entries()) {
    const list = numbers(layer)
    if (!list || list.length === 0 || !Number.isInteger(list[0])) return { ok: false, reason: `layer ${i} is not [operation id, skips...]` }
    layersIn.push(list)
  }
  const config = nnConfig === undefined ? undefined : parseKatibJson(nnConfig)
  const embedding = isRecord(config) && isRecord(config.embedding) ? config.embedding : {}
  const layers = layersIn.map((list, index): NasLayer => {
    const operationId = list[0]!
    const entry = embedding[String(operationId)]
    const type = isRecord(entry) && typeof entry.opt_type === 'string' ? entry.opt_type : undefined
    const params: Record<string, string> = {}
    if (isRecord(entry) && isRecord(entry.opt_params)) {
      for (const [key, value] of Object.entries(entry.opt_params)) params[key] = typeof value === 'string' ? value : JSON.stringify(value)
    }
    const skips = list.slice(1).flatMap((bit, k) => (bit === 1 ? [k] : []))
    return { index: index + 1, operationId, type, params, skips }
  })
  return {
    ok: true,
    architecture: {
      layers,
      inputSizes: isRecord(config) ? numbers(config.input_sizes) : undefined,
      outputSizes: isRecord(config) ? numbers(config.output_sizes) : undefined,
    },
  }
}

const words = (name: string) => name.replaceAll('_', ' ')

/** One parameter as a reader says it: `5x5`, `64 filters`, `stride 1`, `max pooling`. */
function describeParam(name: string, value: string): string {
  switch (name) {
    case 'filter_size':
    case 'pool_size':
    case 'kernel_size':
      return /^\d+$/.test(value) ? `${value}x${value}` : `${words(name)} ${value}`
    case 'num_filter':
    case 'num_filters':
      return `${value} filters`
    case 'units':
    case 'num_units':
      return `${value} units`
    case 'reduction_type':
    case 'activation':
      return words(value)
    default:
      return `${words(name)} ${value}`
  }
}

/** "convolution 5x5 64 filters stride 1"; the bare id where nn_config does not describe it. */
export function describeOperation(layer: Pick<NasLayer, 'operationId' | 'type' | 'params'>): string {
  if (layer.type === undefined) return `operation ${layer.operationId}`
  return [words(layer.type), ...Object.entries(layer.params).map(([k, v]) => describeParam(k, v))].join(' ')
}

/** A layer number as the dashboard prints it: the input, or L1, L2... */
export function layerName(number: number): string {
  return number === 0 ? 'input' : `L${number}`
}

/** "L3 convolution 5x5 64 filters stride 1 <- skips from input, L1" */
export function describeLayer(layer: NasLayer): string {
  const skips = layer.skips.length > 0 ? ` <- skip${layer.skips.length > 1 ? 's' : ''} from ${layer.skips.map(layerName).join(', ')}` : ''
  return `L${layer.index} ${describeOperation(layer)}${skips}`
}

const SHORT_TYPES: Readonly<Record<string, string>> = {
  convolution: 'conv', separable_convolution: 'sep-conv', depthwise_convolution: 'dw-conv',
}

/** "conv 5x5 64f s1", "max-pool 2x2": a layer's operation in a few characters. */
function shortOperation(layer: Pick<NasLayer, 'operationId' | 'type' | 'params'>): string {
  if (layer.type === undefined) return `op ${layer.operationId}`
  const params = Object.entries(layer.params)
  const pooling = layer.type === 'reduction' ? layer.params.reduction_type?.replace(/_?pooling$/, '-pool') : undefined
  const parts = [pooling ?? SHORT_TYPES[layer.type] ?? layer.type]
  for (const [name, value] of params) {
    if (name === 'reduction_type' && pooling) continue
    if (/^(filter|pool|kernel)_size$/.test(name) && /^\d+$/.test(value)) parts.push(`${value}x${value}`)
    else if (name === 'num_filter' || name === 'num_filters') parts.push(`${value}f`)
    else if (name === 'stride') parts.push(`s${value}`)
    else if (name === 'depth_multiplier') parts.push(`d${value}`)
    else if (name === 'units' || name === 'num_units' || name === 'activation') parts.push(value)
    else parts.push(`${name}=${value}`)
  }
  return parts.join(' ')
}

/**
 * Every layer on one line, for a table cell, short enough that rows differ within the width:
 * "conv 5x5 64f s1 → max-pool 2x2 +input → conv 3x3 64f s1 +input,L1" (f filters, s stride,
 * d depth multiplier, + skips). The cell's tooltip and expansion give the full view.
 */
export function summarizeArchitecture(architecture: NasArchitecture): string {
  return architecture.layers
    .map((layer) => `${shortOperation(layer)}${layer.skips.length > 0 ? ` +${layer.skips.map(layerName).join(',')}` : ''}`)
    .join(' → ')
}

/** The full view as plain text, one layer a line (a tooltip). */
export function architectureText(architecture: NasArchitecture): string {
  const sizes = architecture.inputSizes || architecture.outputSizes
    ? [`input ${architecture.inputSizes?.join('x') ?? '?'} -> output ${architecture.outputSizes?.join('x') ?? '?'}`]
    : []
  return [...architecture.layers.map(describeLayer), ...sizes].join('\n')
}

/** The architecture of a trial's params or parameter assignments, when it has one. */
export function architectureOf(params: Readonly<Record<string, unknown>>): ArchitectureReading | undefined {
  const arc = params[ARCHITECTURE_PARAM]
  if (typeof arc !== 'string') return undefined
  const config = params[NN_CONFIG_PARAM]
  return readArchitecture(arc, typeof config === 'string' ? config : undefined)
}
