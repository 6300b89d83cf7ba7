import type { ArchitectureSpace } from '../../core/nas/architecture-space.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import type { NasConfig } from '../../core/spec/experiment-schema.ts'

const categorical = (name: string, list: readonly string[]) => ({ name, parameterType: 'categorical', feasibleSpace: { list: [...list] } })

/**
 * The `nasConfig` of Katib's enas-cpu example (examples/v1beta1/nas/enas-cpu.yaml) with
 * `numLayers` layers (the example has 1; the benchmark uses 6).
 */
export function enasCpuNasConfig(numLayers: number): NasConfig {
  const filterSize = categorical('filter_size', ['3', '5', '7'])
  const numFilter = categorical('num_filter', ['32', '48', '64', '96', '128'])
  const stride = categorical('stride', ['1', '2'])
  const depthMultiplier = categorical('depth_multiplier', ['1', '2'])
  return {
    graphConfig: { numLayers, inputSizes: [32, 32, 3], outputSizes: [10] },
    operations: [
      { operationType: 'convolution', parameters: [filterSize, numFilter, stride] },
      { operationType: 'separable_convolution', parameters: [filterSize, numFilter, stride, depthMultiplier] },
      { operationType: 'depthwise_convolution', parameters: [filterSize, stride, depthMultiplier] },
      { operationType: 'reduction', parameters: [categorical('reduction_type', ['max_pooling', 'avg_pooling']), { name: 'pool_size', parameterType: 'int', feasibleSpace: { min: '2', max: '3', step: '1' } }] },
    ],
  } as NasConfig
}

/**
 * enasCpuNasConfig expanded as the service expands it: 30 convolutions, 60 separable
 * convolutions, 12 depthwise convolutions and 4 reductions, 106 operations.
 */
export function enasCpuSpace(numLayers: number): ArchitectureSpace {
  return expandNasConfig(enasCpuNasConfig(numLayers))
}
