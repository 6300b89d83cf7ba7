import { TunewellError } from '../../core/errors.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'

/** The experiment named `name`, or EXPERIMENT_NOT_FOUND (404) saying so by name. */
export async function findExperiment(store: Store, name: string): Promise<ExperimentRecord> {
  const record = await store.experiments.getByName(name)
  if (!record) throw experimentNamedNotFound(name)
  return record
}

/** A trial of this experiment by name; a trial of another experiment is not found here either. */
export async function findTrial(store: Store, experiment: ExperimentRecord, trialName: string): Promise<TrialRecord> {
  const trial = await store.trials.getByName(trialName)
  if (!trial || trial.experimentId !== experiment.id) throw trialNamedNotFound(experiment, trialName)
  return trial
}

export function experimentNamedNotFound(name: string): TunewellError {
  return new TunewellError('EXPERIMENT_NOT_FOUND', `experiment "${name}" not found`)
}

export function trialNamedNotFound(experiment: Pick<ExperimentRecord, 'name'>, trialName: string): TunewellError {
  return new TunewellError('TRIAL_NOT_FOUND', `trial "${trialName}" of experiment "${experiment.name}" not found`)
}

export { isCompleted } from '../../lifecycle/is-completed.ts'
