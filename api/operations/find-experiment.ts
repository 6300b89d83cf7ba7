import { HypertuneError } from '../../core/errors.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../../db/store.ts'

/** The experiment named `name`, or EXPERIMENT_NOT_FOUND (404) saying so by name. */
export async function findExperiment(store: Store, name: string): Promise<ExperimentRecord> {
  const record = await store.experiments.getByName(name)
  if (!record) throw new HypertuneError('EXPERIMENT_NOT_FOUND', `experiment "${name}" not found`)
  return record
}

/** A trial of this experiment by name; a trial of another experiment is not found here either. */
export async function findTrial(store: Store, experiment: ExperimentRecord, trialName: string): Promise<TrialRecord> {
  const trial = await store.trials.getByName(trialName)
  if (!trial || trial.experimentId !== experiment.id) {
    throw new HypertuneError('TRIAL_NOT_FOUND', `trial "${trialName}" of experiment "${experiment.name}" not found`)
  }
  return trial
}

export function isCompleted(record: Pick<ExperimentRecord, 'state'>): boolean {
  return record.state === 'Succeeded' || record.state === 'Failed'
}
