/**
 * `nsga2`: NSGA-II (Deb et al. 2002) for one or several objectives, with constraints (see
 * `nsga2-suggester.ts` for the algorithm and our deviations). Not a Katib algorithm: Katib has
 * no multi-objective search; the settings are Optuna's NSGAIISampler's, plus the crossover's
 * choice (uniform, Optuna's default, or the paper's SBX).
 */
import type { SearchSpace } from '../../core/search-space.ts'
import type { AlgorithmBudget, AlgorithmDefinition, SettingIssue, SettingSpec } from '../algorithm-definition.ts'
import { samplingSpaceIssues } from '../sampling-space-issues.ts'
import { randomStateSetting } from '../seed-from-settings.ts'
import { withDefaults } from '../with-defaults.ts'
import { Nsga2Suggester } from './nsga2-suggester.ts'

export type Nsga2Settings = {
  readonly population_size?: number
  readonly crossover?: string
  readonly crossover_prob?: number
  readonly swapping_prob?: number
  readonly mutation_prob?: number
  readonly random_state?: number
}

const NSGA2_SETTINGS = [
  { name: 'population_size', type: 'int', default: 50, min: 2, description: 'Size of the parent population: the first this many trials are random, each later one is bred from the best this many finished trials.' },
  { name: 'crossover', type: 'enum', default: 'uniform', values: ['uniform', 'sbx'], description: 'uniform: each parameter from either parent (Optuna\'s default, better on our benchmark); sbx: simulated binary crossover on numeric parameters (Deb\'s).' },
  { name: 'crossover_prob', type: 'float', default: 0.9, min: 0, max: 1, description: 'Probability that a child is a crossover of two parents rather than a copy of one.' },
  { name: 'swapping_prob', type: 'float', default: 0.5, min: 0, max: 1, description: 'Uniform crossover (and categorical parameters under sbx): probability of taking each parameter from the second parent.' },
  { name: 'mutation_prob', type: 'float', min: 0, max: 1, description: 'Probability of mutating each parameter of a child; unset: 1 / the number of parameters.' },
  randomStateSetting('Seed of the experiment; the same spec, history and random_state give the same trials.'),
] as const satisfies readonly SettingSpec[]

function nsga2Issues(space: SearchSpace, settings: Nsga2Settings, budget: AlgorithmBudget): SettingIssue[] {
  const issues = samplingSpaceIssues(space)
  const population = withDefaults(NSGA2_SETTINGS, settings).population_size
  if (budget.maxTrialCount !== undefined && budget.maxTrialCount <= population) {
    issues.push({
      setting: 'population_size',
      warning: true,
      message: `maxTrialCount ${budget.maxTrialCount} is not above population_size ${population}, so every trial is random (the initial population); lower population_size or raise maxTrialCount`,
    })
  }
  return issues
}

export const nsga2Algorithm: AlgorithmDefinition<Nsga2Settings> = {
  name: 'nsga2',
  description: 'NSGA-II (steady state): a genetic algorithm that breeds each trial from the Pareto fronts of the finished trials; several objectives and constraints.',
  settings: NSGA2_SETTINGS,
  multiObjective: true,
  check: nsga2Issues,
  create: (given) => {
    const settings = withDefaults(NSGA2_SETTINGS, given)
    return new Nsga2Suggester({
      populationSize: settings.population_size,
      crossover: settings.crossover === 'sbx' ? 'sbx' : 'uniform',
      crossoverProbability: settings.crossover_prob,
      swappingProbability: settings.swapping_prob,
      mutationProbability: settings.mutation_prob,
    })
  },
}
