import { parseArchitecture } from './architecture-assignment.ts'
import { parseNnConfig, type NnConfig } from './nn-config-assignment.ts'

/**
 * A trial's architecture for people, one line per layer, from its two assignments (so it needs
 * nothing but the trial's params): the operation and its parameters from nn_config's embedding,
 * then what is skipped into it besides the layer before it.
 *
 *   layer 1: convolution filter_size=7 num_filter=96 stride=2
 *   layer 2: reduction reduction_type=max_pooling pool_size=2
 *   layer 3: convolution filter_size=3 num_filter=32 stride=1, skips from the input, layer 1
 *
 * Numbered as Katib's ENAS reads an architecture (its README: "layer 0 is the input"; its trial's
 * ModelConstructor): row i is layer i + 1, which always reads layer i, and its skip bit k adds
 * layer k, the input for k = 0. So the last earlier layer has no bit: it is always connected.
 *
 * An architecture that does not parse is shown as given; an operation missing from nn_config by
 * its id.
 */
export function describeArchitecture(architecture: string, nnConfig: string | undefined): string[] {
  let layers: readonly (readonly number[])[]
  try {
    layers = parseArchitecture(architecture)
  } catch {
    return [architecture]
  }
  let config: NnConfig | undefined
  try {
    config = nnConfig === undefined ? undefined : parseNnConfig(nnConfig)
  } catch {
    config = undefined
  }
  return layers.map((layer, i) => {
    const [id, ...skips] = layer
    const operation = config?.embedding[String(id)]
    const what = operation
      ? [operation.opt_type, ...Object.entries(operation.opt_params ?? {}).map(([name, value]) => `${name}=${value}`)].join(' ')
      : `operation ${id}`
    const from = skips.flatMap((bit, k) => (bit === 1 ? [k === 0 ? 'the input' : `layer ${k}`] : []))
    return `layer ${i + 1}: ${what}${from.length > 0 ? `, skips from ${from.join(', ')}` : ''}`
  })
}
