/**
 * Katib's `enas` (enas-suggester.ts) and its settings: Katib's names, defaults and ranges
 * (AlgorithmSettings.py and service.py's ValidateAlgorithmSettings: a float must be above its
 * lower bound and at most its upper one, an int at least its lower bound), `None` where Katib's
 * enableNoneSettingsList allows it. Katib refuses a setting it does not know, and so do we.
 */
import type { SettingIssue, SettingSpec } from '../../algorithm-definition.ts'
import { withDefaults } from '../../with-defaults.ts'
import type { NasAlgorithmDefinition } from '../nas-suggester.ts'
import { EnasSuggester, type EnasOptions } from './enas-suggester.ts'

type NoneOr = number | 'None'

export type EnasSettings = {
  readonly controller_hidden_size?: number
  readonly controller_temperature?: NoneOr
  readonly controller_tanh_const?: NoneOr
  readonly controller_entropy_weight?: NoneOr
  readonly controller_baseline_decay?: number
  readonly controller_learning_rate?: number
  readonly controller_skip_target?: number
  readonly controller_skip_weight?: NoneOr
  readonly controller_train_steps?: number
  readonly controller_log_every_steps?: number
}

export const ENAS_SETTINGS = [
  { name: 'controller_hidden_size', type: 'int', default: 64, min: 1, max: 256, description: 'Size of the controller LSTM\'s hidden state (and of the embeddings and attention); at most 256 here.' },
  { name: 'controller_temperature', type: 'float', default: 5, min: 0, exclusiveMin: true, noneAllowed: true, description: 'Logits are divided by it before sampling: higher explores more. None: not divided.' },
  { name: 'controller_tanh_const', type: 'float', default: 2.25, min: 0, exclusiveMin: true, noneAllowed: true, description: 'Logits become C·tanh(logits/temperature), bounding how sure the controller gets. None: no tanh.' },
  { name: 'controller_entropy_weight', type: 'float', default: 1e-5, min: 0, exclusiveMin: true, noneAllowed: true, description: 'Weight of the entropy bonus added to each reward. None: no bonus.' },
  { name: 'controller_baseline_decay', type: 'float', default: 0.999, min: 0, exclusiveMin: true, max: 1, description: 'Decay of the moving-average reward baseline; each update moves it (1 - decay) of the way to the batch\'s reward.' },
  { name: 'controller_learning_rate', type: 'float', default: 5e-5, min: 0, exclusiveMin: true, max: 1, description: 'Adam\'s learning rate for the controller.' },
  { name: 'controller_skip_target', type: 'float', default: 0.4, min: 0, exclusiveMin: true, max: 1, description: 'Skip-connection probability the KL penalty pulls towards.' },
  { name: 'controller_skip_weight', type: 'float', default: 0.8, min: 0, exclusiveMin: true, noneAllowed: true, description: 'Weight of the skip-rate KL penalty. None: no penalty.' },
  { name: 'controller_train_steps', type: 'int', default: 50, min: 1, max: 10_000, description: 'Controller updates on each batch of newly finished trials; at most 10000 here.' },
  { name: 'controller_log_every_steps', type: 'int', default: 10, min: 1, description: 'Every this many updates, the training statistics are kept in the algorithm\'s state (the latest 20).' },
] as const satisfies readonly SettingSpec[]

const noneToNull = (value: NoneOr): number | null => (value === 'None' ? null : value)

export function enasOptions(given: EnasSettings): EnasOptions {
  const s = withDefaults(ENAS_SETTINGS, given)
  return {
    hiddenSize: s.controller_hidden_size,
    temperature: noneToNull(s.controller_temperature),
    tanhConst: noneToNull(s.controller_tanh_const),
    entropyWeight: noneToNull(s.controller_entropy_weight),
    baselineDecay: s.controller_baseline_decay,
    learningRate: s.controller_learning_rate,
    skipTarget: s.controller_skip_target,
    skipWeight: noneToNull(s.controller_skip_weight),
    trainSteps: s.controller_train_steps,
    logEverySteps: s.controller_log_every_steps,
  }
}

export const enasAlgorithm: NasAlgorithmDefinition<EnasSettings> = {
  name: 'enas',
  description: 'ENAS (Pham et al. 2018): an LSTM controller samples each layer\'s operation and skip connections and learns from the trials\' results by REINFORCE, as Katib\'s enas; its weights persist across restarts.',
  settings: ENAS_SETTINGS,
  check: (space, given) => {
    const options = enasOptions(given)
    const issues: SettingIssue[] = []
    if (options.skipTarget === 1 && options.skipWeight !== null && space.numLayers > 1) {
      issues.push({ setting: 'controller_skip_target', message: 'controller_skip_target 1 makes the skip penalty infinite (KL against a certain skip), so the controller would train on NaN; use a value below 1 (e.g. 0.9), or set controller_skip_weight to None to drop the penalty' })
    }
    if (space.operations.length === 0) {
      issues.push({ message: 'nasConfig has no operations; enas picks one per layer: add at least one entry to spec.nasConfig.operations' })
    }
    return issues
  },
  create: (given) => new EnasSuggester(enasOptions(given)),
}
