import type { ExperimentRecord } from '../db/store.ts'

/** Succeeded or Failed: Katib's completed experiment, which runs nothing until it is restarted. */
export function isCompleted(experiment: Pick<ExperimentRecord, 'state'>): boolean {
  return experiment.state === 'Succeeded' || experiment.state === 'Failed'
}
