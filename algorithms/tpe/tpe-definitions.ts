/**
 * Katib's two TPE names (Bergstra et al. 2011; Falkner et al. 2018 for the joint kernels;
 * Watanabe 2023 for the defaults), both run by `TpeSuggester`, multivariate by default:
 *
 * - `tpe` is hyperopt's in Katib and takes hyperopt's settings. Unlike hyperopt it models the
 *   parameters jointly unless `multivariate` is "false" (Optuna 5's default, better on
 *   interacting parameters), and, with no `gamma`, splits with Optuna's γ(n) = min(⌈0.1·n⌉, 25);
 *   a given `gamma` keeps hyperopt's meaning, ⌈gamma·√n⌉ capped at 25. `n_startup_trials` is
 *   ours: Katib's hyperopt makes only the first request's batch random.
 * - `multivariate-tpe` is Optuna's `TPESampler(multivariate=True, constant_liar=True)` in
 *   Katib, with its settings. Unlike Katib's Optuna service it accepts normal and logNormal
 *   (modelled as uniform and logUniform), and it rejects n_ei_candidates 0, which would leave
 *   nothing to choose from.
 *
 * Where the engine departs from Optuna 5 (mainly: a bandwidth floor that shrinks with the
 * number of finished trials, and no repeated points) is listed in `tpe-suggester.ts`.
 */
import type { AlgorithmDefinition, SettingSpec } from '../algorithm-definition.ts'
import { samplingSpaceIssues } from '../sampling-space-issues.ts'
import { randomStateSetting } from '../seed-from-settings.ts'
import { withDefaults } from '../with-defaults.ts'
import { hyperoptGamma, optunaGamma } from './split-trials.ts'
import { DEFAULT_TPE_OPTIONS, TpeSuggester } from './tpe-suggester.ts'

export type TpeSettings = {
  readonly gamma?: number
  readonly prior_weight?: number
  readonly n_EI_candidates?: number
  readonly n_startup_trials?: number
  readonly multivariate?: string
  readonly random_state?: number
}

export type MultivariateTpeSettings = {
  readonly n_startup_trials?: number
  readonly n_ei_candidates?: number
  readonly random_state?: number
}

const STARTUP_DESCRIPTION = 'Random suggestions before the model is used (pending, running and finished trials count; failed ones are replaced).'
const CANDIDATES_DESCRIPTION = 'Candidates drawn from the good-trial density per suggestion; more exploits harder.'
const SEED_DESCRIPTION = 'Seed of the experiment; the same spec, history and random_state give the same trials.'

const TPE_SETTINGS = [
  {
    name: 'gamma', type: 'float', min: 0, max: 1, exclusiveMin: true, exclusiveMax: true,
    description: 'hyperopt\'s split: the ⌈gamma·√n⌉ best of n finished trials (at most 25) form the good group; unset: Optuna\'s min(⌈0.1·n⌉, 25).',
  },
  { name: 'prior_weight', type: 'float', default: DEFAULT_TPE_OPTIONS.priorWeight, min: 0, exclusiveMin: true, description: 'Weight of the prior kernel against one trial\'s weight of 1; larger explores more.' },
  { name: 'n_EI_candidates', type: 'int', default: DEFAULT_TPE_OPTIONS.nEiCandidates, min: 1, description: CANDIDATES_DESCRIPTION },
  { name: 'n_startup_trials', type: 'int', default: DEFAULT_TPE_OPTIONS.nStartupTrials, min: 0, description: STARTUP_DESCRIPTION },
  { name: 'multivariate', type: 'enum', default: 'true', values: ['true', 'false'], description: 'Model all parameters jointly (true) or each on its own, as hyperopt does (false).' },
  randomStateSetting(SEED_DESCRIPTION),
] as const satisfies readonly SettingSpec[]

export const tpeAlgorithm: AlgorithmDefinition<TpeSettings> = {
  name: 'tpe',
  description: 'Tree-structured Parzen Estimator: models good and bad trials with kernel densities and suggests where good ones are likelier.',
  settings: TPE_SETTINGS,
  multiObjective: true,
  check: (space) => samplingSpaceIssues(space),
  create: (given) => {
    const settings = withDefaults(TPE_SETTINGS, given)
    return new TpeSuggester({
      gamma: settings.gamma === undefined ? optunaGamma : hyperoptGamma(settings.gamma),
      priorWeight: settings.prior_weight,
      nEiCandidates: settings.n_EI_candidates,
      nStartupTrials: settings.n_startup_trials,
      multivariate: settings.multivariate !== 'false',
    })
  },
}

const MULTIVARIATE_TPE_SETTINGS = [
  { name: 'n_startup_trials', type: 'int', default: DEFAULT_TPE_OPTIONS.nStartupTrials, min: 0, description: STARTUP_DESCRIPTION },
  { name: 'n_ei_candidates', type: 'int', default: DEFAULT_TPE_OPTIONS.nEiCandidates, min: 1, description: CANDIDATES_DESCRIPTION },
  randomStateSetting(SEED_DESCRIPTION),
] as const satisfies readonly SettingSpec[]

export const multivariateTpeAlgorithm: AlgorithmDefinition<MultivariateTpeSettings> = {
  name: 'multivariate-tpe',
  description: 'Optuna-style multivariate TPE: joint kernel densities over all parameters, constant liar for parallel trials.',
  settings: MULTIVARIATE_TPE_SETTINGS,
  multiObjective: true,
  check: (space) => samplingSpaceIssues(space),
  create: (given) => {
    const settings = withDefaults(MULTIVARIATE_TPE_SETTINGS, given)
    return new TpeSuggester({ nStartupTrials: settings.n_startup_trials, nEiCandidates: settings.n_ei_candidates, multivariate: true })
  },
}
