import type { Problem } from './problem.ts'
import { num } from './problem.ts'

const Z_OPTIMIZER: Record<string, number> = { sgd: 0.3, adam: 0.0, rmsprop: 0.1 }
const Z_ACTIVATION: Record<string, number> = { relu: 0.05, tanh: 0.2, gelu: 0.0, sigmoid: 0.6 }
/** log10 of the best learning rate at batch size 64, per optimizer. */
const LOG_LR_AT_64: Record<string, number> = { sgd: -1.7, adam: -3.0, rmsprop: -3.5 }

/**
 * A designed neural-network-like surface with interactions: the best learning rate moves with
 * the optimizer and the batch size (linear scaling rule), the best dropout with the depth.
 */
export const mixedNnLike: Problem = {
  name: 'mixed_nn_like',
  params: [
    { name: 'lr', type: 'double', low: 1e-5, high: 1e-1, log: true },
    { name: 'weight_decay', type: 'double', low: 1e-6, high: 1e-2, log: true },
    { name: 'dropout', type: 'double', low: 0, high: 0.5, log: false },
    { name: 'n_layers', type: 'int', low: 1, high: 6, step: 1, log: false },
    { name: 'hidden_units', type: 'int', low: 32, high: 512, step: 32, log: false },
    { name: 'batch_size', type: 'int', low: 16, high: 256, step: 16, log: false },
    { name: 'optimizer', type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] },
    { name: 'activation', type: 'categorical', choices: ['relu', 'tanh', 'gelu', 'sigmoid'] },
  ],
  evaluate: (params) => {
    const optimizer = String(params['optimizer'])
    const activation = String(params['activation'])
    const zOptimizer = Z_OPTIMIZER[optimizer]
    const zActivation = Z_ACTIVATION[activation]
    const logLr64 = LOG_LR_AT_64[optimizer]
    if (zOptimizer === undefined || logLr64 === undefined) throw new RangeError(`mixed_nn_like: unknown optimizer ${JSON.stringify(optimizer)}`)
    if (zActivation === undefined) throw new RangeError(`mixed_nn_like: unknown activation ${JSON.stringify(activation)}`)
    const batchSize = num(params, 'batch_size')
    const nLayers = num(params, 'n_layers')
    const lrStar = logLr64 + Math.log10(batchSize / 64)
    const z = zOptimizer + zActivation
      + ((Math.log10(num(params, 'lr')) - lrStar) / 0.5) ** 2
      + 0.3 * (Math.log10(num(params, 'weight_decay')) + 4) ** 2
      + 0.1 * Math.log2(batchSize / 64) ** 2
      + 0.15 * Math.log2(num(params, 'hidden_units') / 256) ** 2
      + 0.1 * (nLayers - 3) ** 2
      + 0.5 * ((num(params, 'dropout') - 0.1 * (nLayers - 1)) / 0.1) ** 2
    return 0.05 + 0.85 * (1 - Math.exp(-z))
  },
  globalMin: 0.05,
}
