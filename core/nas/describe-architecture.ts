import { parseArchitecture } from './architecture-assignment.ts'
import { parseNnConfig, type NnConfig } from './nn-config-assignment.ts'

/**
 * A trial's architecture for people, one line per layer, from its two assignments (so it needs
 * nothing but the trial's params): the operation and its parameters from nn_config's embedding,
 * then the earlier layers whose output is skipped into it.
 *
 *   layer 0: convolution filter_size=7 num_filter=96 stride=2
 *   layer 1: reduction reduction_type=max_pooling pool_size=2, skips from layer 0
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
    const from = skips.flatMap((bit, j) => (bit === 1 ? [j] : []))
    return `layer ${i}: ${what}${from.length > 0 ? `, skips from layer${from.length > 1 ? 's' : ''} ${from.join(', ')}` : ''}`
  })
}
