import { carryExtension, type Experiment } from '../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../db/store.ts'
import { applySpecChange } from '../lifecycle/apply-spec-change.ts'

/**
 * Running an experiment that already exists: Katib's update rules (core/spec/spec-change.ts)
 * applied to the stored record, as a PATCH applies them (lifecycle/apply-spec-change.ts: under
 * the experiment's lock, compare-and-set, the event with the change). Returns the record as it
 * is now. An experiment extended with --more keeps its added trials on top of the file's
 * maxTrialCount (core/spec/extend-spec.ts): the file that started it is not a change.
 */
export async function reconcileSpecChange(store: Store, record: ExperimentRecord, next: Experiment): Promise<ExperimentRecord> {
  const { experiment } = await applySpecChange(store, record.id, carryExtension(record.spec, next), 'run with --fresh to discard the old experiment and its trials')
  return experiment
}
