/**
 * Katib's `bayesianoptimization` (scikit-optimize's `Optimizer` behind Katib's skopt service)
 * with its settings, run by our GP suggester (gp-suggester.ts, which lists the deviations).
 *
 * - `base_estimator`: GP (default) runs the GP suggester; RF, ET and GBRT run the tree
 *   suggester (../trees/tree-suggester.ts: a random forest, extra trees or gradient-boosted
 *   quantile trees with skopt's defaults, over random candidates).
 * - `acq_func`: gp_hedge (default), EI, LCB, PI. EIps and PIps ("per second") need a model of
 *   each trial's duration, which skopt fits from the elapsed time it is told; trials here carry
 *   no such channel into the suggester, so EIps runs as EI and PIps as PI. They are accepted
 *   (a Katib spec using them still runs) and the setting's description says so.
 * - `acq_optimizer`: with GP, auto and lbfgs both screen candidates then climb the acquisition
 *   by gradient from the best few; sampling screens only (with more candidates). With a tree,
 *   auto means sampling (as in skopt), and lbfgs is refused when the experiment is created:
 *   skopt raises "should run with acq_optimizer='sampling'" for a regressor without gradients,
 *   which in Katib fails the suggestion service after the experiment started.
 * - `n_initial_points` (default 10, ≥ 0) and `random_state` as in Katib.
 */
import type { SearchSpace } from '../../core/search-space.ts'
import type { AlgorithmDefinition, SettingIssue, SettingSpec } from '../algorithm-definition.ts'
import { samplingSpaceIssues } from '../sampling-space-issues.ts'
import { randomStateSetting } from '../seed-from-settings.ts'
import { withDefaults } from '../with-defaults.ts'
import { TreeSuggester } from '../trees/tree-suggester.ts'
import { isTreeEstimator } from '../trees/fit-tree-surrogate.ts'
import { GpSuggester } from './gp-suggester.ts'
import type { GpAcquisition } from './gp-suggester.ts'

export const BASE_ESTIMATORS = ['GP', 'RF', 'ET', 'GBRT'] as const
export const ACQ_FUNCS = ['gp_hedge', 'LCB', 'EI', 'PI', 'EIps', 'PIps'] as const
export const ACQ_OPTIMIZERS = ['auto', 'sampling', 'lbfgs'] as const
export const MULTI_OBJECTIVE_METHODS = ['parego', 'smsego'] as const

export type BayesianOptimizationSettings = {
  readonly base_estimator?: string
  readonly n_initial_points?: number
  readonly acq_func?: string
  readonly acq_optimizer?: string
  readonly random_state?: number
  readonly multi_objective?: string
}

/** Katib's acq_func names mapped to what runs; EIps and PIps have no timing model here. */
function acquisitionFor(name: string | undefined): GpAcquisition {
  switch (name) {
    case 'EI':
    case 'EIps':
      return 'EI'
    case 'PI':
    case 'PIps':
      return 'PI'
    case 'LCB':
      return 'LCB'
    default:
      return 'gp_hedge'
  }
}

function lbfgsMessage(estimator: string): string {
  return `acq_optimizer "lbfgs" needs a surrogate with gradients, and base_estimator "${estimator}" (trees) has none: set acq_optimizer to sampling or auto (skopt refuses this combination too)`
}

const BAYESIAN_OPTIMIZATION_SETTINGS = [
  { name: 'base_estimator', type: 'enum', values: BASE_ESTIMATORS, default: 'GP', description: 'Surrogate model: GP (Gaussian process), RF (random forest), ET (extra trees) or GBRT (gradient-boosted quantile trees).' },
  { name: 'n_initial_points', type: 'int', min: 0, default: 10, description: 'Trials from the space-filling initial design before the model picks points.' },
  { name: 'acq_func', type: 'enum', values: ACQ_FUNCS, default: 'gp_hedge', description: 'Acquisition function: gp_hedge (portfolio of EI, LCB, PI), EI, LCB or PI; EIps and PIps run as EI and PI (no trial-duration model).' },
  { name: 'acq_optimizer', type: 'enum', values: ACQ_OPTIMIZERS, default: 'auto', description: 'How the acquisition is maximised: with GP, auto and lbfgs screen candidates then climb by gradient, sampling screens only; RF, ET and GBRT always sample (lbfgs is refused).' },
  { name: 'multi_objective', type: 'enum', values: MULTI_OBJECTIVE_METHODS, default: 'smsego', description: 'With several objectives (GP only): smsego (one GP per objective, each trial where the predicted objectives add the most hypervolume) or parego (one GP on a random augmented Chebyshev scalarisation per trial). Not a Katib setting.' },
  randomStateSetting('Seed of the experiment; the same spec and random_state give the same trials.'),
] as const satisfies readonly SettingSpec[]

function bayesianOptimizationIssues(space: SearchSpace, given: BayesianOptimizationSettings): SettingIssue[] {
  const issues = samplingSpaceIssues(space)
  const settings = withDefaults(BAYESIAN_OPTIMIZATION_SETTINGS, given)
  if (isTreeEstimator(settings.base_estimator) && settings.acq_optimizer === 'lbfgs') {
    issues.push({ setting: 'acq_optimizer', message: lbfgsMessage(settings.base_estimator) })
  }
  return issues
}

export const bayesianOptimizationAlgorithm: AlgorithmDefinition<BayesianOptimizationSettings> = {
  name: 'bayesianoptimization',
  // Several objectives by SMS-EGO or ParEGO, constraints by probability of feasibility
  // (gp-suggester.ts); the tree surrogates learn ParEGO's scalarised observations.
  multiObjective: true,
  description: 'Bayesian optimisation with a Gaussian process (Matérn 5/2) or a tree surrogate (RF, ET, GBRT), EI/LCB/PI or a gp_hedge portfolio, after a Sobol initial design.',
  settings: BAYESIAN_OPTIMIZATION_SETTINGS,
  check: (space, settings) => bayesianOptimizationIssues(space, settings),
  create: (given) => {
    const settings = withDefaults(BAYESIAN_OPTIMIZATION_SETTINGS, given)
    if (isTreeEstimator(settings.base_estimator)) {
      if (settings.acq_optimizer === 'lbfgs') throw new RangeError(lbfgsMessage(settings.base_estimator))
      return new TreeSuggester({ estimator: settings.base_estimator, initialPoints: settings.n_initial_points, acquisition: acquisitionFor(settings.acq_func) })
    }
    return new GpSuggester({
      initialPoints: settings.n_initial_points,
      acquisition: acquisitionFor(settings.acq_func),
      localSearch: settings.acq_optimizer !== 'sampling',
      multiObjective: settings.multi_objective === 'parego' ? 'parego' : 'smsego',
    })
  },
}
