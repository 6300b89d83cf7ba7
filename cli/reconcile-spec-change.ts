import type { Experiment } from '../core/spec/index.ts'
import { checkSpecChange } from '../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../db/store.ts'

/**
 * Running an experiment that already exists: Katib's update rules (core/spec/spec-change.ts)
 * applied to the stored record. Returns the record as it is now.
 */
export async function reconcileSpecChange(store: Store, record: ExperimentRecord, next: Experiment): Promise<ExperimentRecord> {
  const counts = await store.trials.countByState(record.id)
  const change = checkSpecChange({
    name: record.name,
    spec: record.spec,
    completed: record.state === 'Succeeded' || record.state === 'Failed',
    reason: record.reason,
    trialCount: Object.values(counts).reduce((a, b) => a + b, 0),
  }, next, 'run with --fresh to discard the old experiment and its trials')
  if (change.kind === 'unchanged') return record
  if (change.kind === 'update') return store.experiments.update(record.id, { spec: next })
  await store.events.append({ experimentId: record.id, type: 'experiment:state-changed', payload: { state: 'Restarting' } })
  return store.experiments.update(record.id, {
    spec: next, state: 'Restarting', reason: 'ExperimentRestarting', message: 'experiment is restarting with a larger budget', completedAt: null,
  })
}
