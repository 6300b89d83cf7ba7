/**
 * `pbt` under Katib's name and settings (`n_population`, `truncation_threshold`,
 * `resample_probability`, `suggestion_trial_dir`), plus `random_state`. Katib's defaults; its
 * checks (n_population ≥ 5, 0 < truncation_threshold < 1) with a tighter upper bound of 0.5, so
 * the bottom and top shares never overlap. PBT continues trials from their parents'
 * checkpoints, so it needs trials with a checkpoint directory (a trialTemplate: see
 * `needsCheckpoints`) and, since it never runs dry, a maxTrialCount or a goal to end.
 */
import type { AlgorithmDefinition, SettingIssue, SettingSpec } from '../algorithm-definition.ts'
import { samplingSpaceIssues } from '../sampling-space-issues.ts'
import { randomStateSetting } from '../seed-from-settings.ts'
import { withDefaults } from '../with-defaults.ts'
import { PbtSuggester } from './pbt-suggester.ts'

export type PbtSettings = {
  readonly n_population?: number
  readonly truncation_threshold?: number
  readonly resample_probability?: number
  readonly suggestion_trial_dir?: string
  readonly random_state?: number
}

const PBT_SETTINGS = [
  { name: 'n_population', type: 'int', default: 40, min: 5, description: 'Members of the population, each a lineage of trials continuing one another.' },
  { name: 'truncation_threshold', type: 'float', default: 0.2, min: 0, exclusiveMin: true, max: 0.5, description: 'Share of the population at the bottom that copies a member of the same share at the top.' },
  { name: 'resample_probability', type: 'float', default: 0, min: 0, max: 1, description: 'Per parameter, the chance that exploring redraws it from its prior instead of perturbing it by 0.8 or 1.2.' },
  { name: 'suggestion_trial_dir', type: 'string', description: 'Folder of the trials\' checkpoint directories (<dir>/<trial>), relative to the Experiment file; default .tunewell/runs/<experiment>/<trial>/checkpoint.' },
  randomStateSetting('Seed of the experiment; the same spec, history and random_state give the same trials.'),
] as const satisfies readonly SettingSpec[]

export const pbtAlgorithm: AlgorithmDefinition<PbtSettings> = {
  name: 'pbt',
  description: 'Population-based training (Jaderberg et al. 2017): a population trains in segments; the worst copy the hyperparameters and checkpoint of the best, then perturb them.',
  settings: PBT_SETTINGS,
  needsCheckpoints: true,
  check: (space, settings, budget) => {
    const issues: SettingIssue[] = [...samplingSpaceIssues(space)]
    if (settings.suggestion_trial_dir !== undefined && settings.suggestion_trial_dir.trim() === '') {
      issues.push({ setting: 'suggestion_trial_dir', message: 'suggestion_trial_dir is empty; pbt copies checkpoints between trials and needs a folder for them: name one, or leave the setting out for .tunewell/runs/<experiment>/<trial>/checkpoint' })
    }
    if (budget.maxTrialCount === undefined) {
      issues.push({ message: 'pbt trains its population until stopped; set spec.maxTrialCount so the experiment ends' })
    }
    return issues
  },
  create: (given) => {
    const settings = withDefaults(PBT_SETTINGS, given)
    return new PbtSuggester({
      populationSize: settings.n_population,
      truncationThreshold: settings.truncation_threshold,
      resampleProbability: settings.resample_probability,
    })
  },
}
