import type { SettingSpec } from '../../algorithm-definition.ts'

/**
 * Katib's DARTS settings, in the order its service writes them (get_algorithm_settings in
 * pkg/suggestion/v1beta1/nas/darts/service.py), with its defaults and the bounds of its
 * validate_algorithm_settings. `batch_size` is text because Katib also accepts `None` for it
 * (dartsAlgorithm.check says which values are valid). The suggestion service only passes these to
 * the trial, which does the search; the descriptions say what Katib's trial program does with them.
 */
export const DARTS_SETTINGS = [
  { name: 'num_epochs', type: 'int', default: 50, min: 1, description: 'Epochs of the search the trial runs (each trains the weights and the architecture parameters).' },
  { name: 'w_lr', type: 'float', default: 0.025, min: 0, description: 'Initial learning rate of the network weights (cosine-annealed down to w_lr_min).' },
  { name: 'w_lr_min', type: 'float', default: 0.001, min: 0, description: 'Final learning rate of the network weights.' },
  { name: 'w_momentum', type: 'float', default: 0.9, min: 0, description: 'SGD momentum of the network weights.' },
  { name: 'w_weight_decay', type: 'float', default: 3e-4, min: 0, description: 'Weight decay of the network weights.' },
  { name: 'w_grad_clip', type: 'float', default: 5.0, min: 0, description: 'Gradient-norm clipping of the network weights.' },
  { name: 'alpha_lr', type: 'float', default: 3e-4, min: 0, description: 'Adam learning rate of the architecture parameters (alphas).' },
  { name: 'alpha_weight_decay', type: 'float', default: 1e-3, min: 0, description: 'Weight decay of the architecture parameters.' },
  { name: 'batch_size', type: 'string', default: 128, description: 'Samples per batch: an integer >= 1, or None.' },
  { name: 'num_workers', type: 'int', default: 4, min: 0, description: 'Data-loader worker processes of the trial.' },
  { name: 'init_channels', type: 'int', default: 16, min: 1, description: 'Channels of the first cell.' },
  { name: 'print_step', type: 'int', default: 50, min: 1, description: 'Batches between the trial\'s progress lines.' },
  { name: 'num_nodes', type: 'int', default: 4, min: 1, description: 'Intermediate nodes per cell.' },
  { name: 'stem_multiplier', type: 'int', default: 3, min: 1, description: 'Channel multiplier of the stem convolution.' },
] as const satisfies readonly SettingSpec[]

/** Settings whose Python default is a float (printed `5.0`, not `5`). */
export function isFloatSetting(name: string): boolean {
  return DARTS_SETTINGS.some((spec) => spec.name === name && spec.type === 'float')
}
