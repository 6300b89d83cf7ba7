/**
 * `evolution`: regularised evolution (evolution-suggester.ts) over `spec.nasConfig`. Not a Katib
 * algorithm: an extension of ours, with settings of our own naming (`population_size`,
 * `sample_size`, `operation_mutation_probability`) and Katib's `random_state`. Defaults are
 * sized for experiments of 30 to 300 trials (the paper's 100/25 is for 20,000 models): a
 * population of 16 leaves 14 evolved trials of 30 and 284 of 300, and a tournament of 6 of 16
 * has as its winner the 2nd or 3rd best of 16 on average, without always taking the best. They were chosen on the
 * bench:nas surrogate (docs/benchmarks.md, "NAS") among populations of 10 to 50 and tournaments
 * of a quarter to a half of them: 16/6 was among the best at 30, 100 and 300 trials alike,
 * where the larger populations lagged at 30 and 100 and smaller tournaments at 300.
 */
import type { SettingIssue, SettingSpec } from '../../algorithm-definition.ts'
import { randomStateSetting } from '../../seed-from-settings.ts'
import { withDefaults } from '../../with-defaults.ts'
import type { NasAlgorithmDefinition } from '../nas-suggester.ts'
import { EvolutionSuggester } from './evolution-suggester.ts'

export type EvolutionSettings = {
  readonly population_size?: number
  readonly sample_size?: number
  readonly operation_mutation_probability?: number
  readonly random_state?: number
}

const EVOLUTION_SETTINGS = [
  { name: 'population_size', type: 'int', default: 16, min: 2, max: 100_000, description: 'Architectures in the population: the first this many trials are random, and each later one is a child of the newest this many that succeeded.' },
  { name: 'sample_size', type: 'int', default: 6, min: 1, max: 100_000, description: 'Members drawn for each tournament, whose best becomes the parent; at most population_size (equal means always the best).' },
  { name: 'operation_mutation_probability', type: 'float', default: 0.5, min: 0, max: 1, description: 'Chance that a child changes one layer\'s operation rather than one skip connection (the only kind possible is used where the space has one kind).' },
  randomStateSetting('Seed of the experiment; the same spec, results and random_state give the same architectures.'),
] as const satisfies readonly SettingSpec[]

export const evolutionAlgorithm: NasAlgorithmDefinition<EvolutionSettings> = {
  name: 'evolution',
  description: 'Regularised evolution (Real et al. 2019), an extension beyond Katib: each architecture mutates one operation or one skip of the best of a random sample of the population, whose oldest member dies.',
  settings: EVOLUTION_SETTINGS,
  check: (space, given, budget) => {
    const settings = withDefaults(EVOLUTION_SETTINGS, given)
    const issues: SettingIssue[] = []
    if (settings.sample_size > settings.population_size) {
      issues.push({ setting: 'sample_size', message: `sample_size ${settings.sample_size} is larger than population_size ${settings.population_size}; a tournament draws from the population: set sample_size to at most ${settings.population_size} (about a quarter of it is usual)` })
    }
    if (space.operations.length === 0) {
      issues.push({ message: 'nasConfig has no operations; evolution picks one per layer: add at least one entry to spec.nasConfig.operations' })
    }
    if (budget.maxTrialCount !== undefined && budget.maxTrialCount <= settings.population_size) {
      issues.push({ setting: 'population_size', warning: true, message: `population_size ${settings.population_size} is not below maxTrialCount ${budget.maxTrialCount}, so every trial is a random draw and nothing evolves; lower population_size (e.g. to ${Math.max(2, Math.floor(budget.maxTrialCount / 3))}) or raise maxTrialCount` })
    }
    return issues
  },
  create: (given) => {
    const settings = withDefaults(EVOLUTION_SETTINGS, given)
    return new EvolutionSuggester({
      populationSize: settings.population_size,
      sampleSize: settings.sample_size,
      operationProbability: settings.operation_mutation_probability,
    })
  },
}
