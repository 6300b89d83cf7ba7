import type { ArchitectureSpace, NasOperation } from '../../core/nas/architecture-space.ts'

/**
 * The operations of Katib's enas-cpu example (examples/v1beta1/nas/enas-cpu.yaml), each
 * multiplied out over its parameters: 30 convolutions, 60 separable convolutions, 12 depthwise
 * convolutions and 4 reductions, 106 in all. Written out here so the benchmark does not depend
 * on the nasConfig expansion; the first parameter varies slowest, as in the YAML's order.
 */
const OPERATION_TYPES: readonly { readonly type: string; readonly params: readonly (readonly [string, readonly string[]])[] }[] = [
  { type: 'convolution', params: [['filter_size', ['3', '5', '7']], ['num_filter', ['32', '48', '64', '96', '128']], ['stride', ['1', '2']]] },
  { type: 'separable_convolution', params: [['filter_size', ['3', '5', '7']], ['num_filter', ['32', '48', '64', '96', '128']], ['stride', ['1', '2']], ['depth_multiplier', ['1', '2']]] },
  { type: 'depthwise_convolution', params: [['filter_size', ['3', '5', '7']], ['stride', ['1', '2']], ['depth_multiplier', ['1', '2']]] },
  { type: 'reduction', params: [['reduction_type', ['max_pooling', 'avg_pooling']], ['pool_size', ['2', '3']]] },
]

/** enas-cpu's operations over `numLayers` layers (the example has 1; the benchmark uses 6). */
export function enasCpuSpace(numLayers: number): ArchitectureSpace {
  const operations: NasOperation[] = []
  for (const { type, params } of OPERATION_TYPES) {
    let combos: Record<string, string>[] = [{}]
    for (const [name, values] of params) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })))
    for (const combo of combos) operations.push({ id: operations.length, type, params: combo })
  }
  return { numLayers, inputSizes: [32, 32, 3], outputSizes: [10], operations }
}
