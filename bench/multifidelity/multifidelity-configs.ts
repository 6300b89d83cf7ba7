import type { RawSetting } from '../../algorithms/parse-settings.ts'

/** One row of the benchmark: an algorithm with its Katib settings, and optionally a stopping rule. */
export interface MultiFidelityConfig {
  readonly name: string
  /** Katib `algorithmName`. */
  readonly algorithm: string
  readonly settings: readonly RawSetting[]
  /** Katib `spec.earlyStopping`. */
  readonly earlyStopping?: { readonly name: string; readonly settings: readonly RawSetting[] }
  readonly description: string
  /** The anchor row it corresponds to, if any. */
  readonly optunaPeer?: string
}

const s = (name: string, value: string | number): RawSetting => ({ name, value: String(value) })
const HYPERBAND = [s('r_l', 81), s('eta', 3), s('resource_name', 'epochs'), s('n_iterations', 0)]

/**
 * The configurations SUITE.md's lcbench_like compares, ours. Hyperband repeats its brackets
 * (`n_iterations: 0`) because one pass over the five brackets uses only ~1,600 of the 4,050 epochs.
 */
export const DEFAULT_MULTIFIDELITY_CONFIGS: readonly MultiFidelityConfig[] = [
  { name: 'random', algorithm: 'random', settings: [], description: 'random search, every trial trains 81 epochs', optunaPeer: 'random_nopruning' },
  { name: 'tpe', algorithm: 'tpe', settings: [], description: 'tpe (defaults), every trial trains 81 epochs', optunaPeer: 'tpe_nopruning' },
  {
    name: 'tpe+medianstop', algorithm: 'tpe', settings: [],
    earlyStopping: { name: 'medianstop', settings: [] },
    description: 'tpe with the median stopping rule (Katib defaults: min_trials_required 3, start_step 4)',
  },
  {
    name: 'tpe+asha', algorithm: 'tpe', settings: [],
    earlyStopping: { name: 'asha', settings: [s('min_resource', 1), s('eta', 3), s('max_resource', 81)] },
    description: 'tpe with asynchronous successive halving stopping (rungs at 1, 3, 9, 27 epochs, eta 3)',
    optunaPeer: 'tpe_sha',
  },
  {
    name: 'hyperband', algorithm: 'hyperband', settings: HYPERBAND,
    description: 'hyperband, random configurations (r_l 81, eta 3: brackets from 1, 3, 9, 27, 81 epochs), promoted trials resume',
    optunaPeer: 'random_hyperband',
  },
  {
    name: 'hyperband+tpe', algorithm: 'hyperband', settings: [...HYPERBAND, s('sampler', 'tpe')],
    description: 'hyperband with sampler tpe (BOHB-style: TPE on the largest resource with enough results)',
    optunaPeer: 'tpe_hyperband',
  },
]
