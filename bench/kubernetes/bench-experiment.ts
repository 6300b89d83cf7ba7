import type { Experiment } from '../../core/spec/index.ts'
import { jobExperiment } from '../../test/helpers/job-experiment.ts'

/**
 * One benchmark experiment: random search over one parameter, its trials as Jobs whose pods the
 * fake simulates (no process: they print one objective line and exit), so what is measured is
 * the controller, not the trials.
 */
export function benchExperiment(name: string, parallel: number, maxTrials: number): Experiment {
  return jobExperiment({
    name, maxTrials, parallel, image: 'example.com/bench/train:1',
    command: ['train', '--lr=${trialParameters.learningRate}'],
  })
}
