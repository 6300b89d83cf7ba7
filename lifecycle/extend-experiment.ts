import { TunewellError } from '../core/errors.ts'
import { EDITABLE_SPEC_FIELDS, extendSpec } from '../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../db/store.ts'
import { isCompleted } from './is-completed.ts'

/**
 * `trials` more for an experiment, whatever its resumePolicy (core/spec/extend-spec.ts): its
 * maxTrialCount grows by that many and, when it had completed, it goes back to Restarting for
 * its controller to continue it with its history and its algorithm's state. Under the
 * experiment's lock, in one transaction, compare-and-set on the state it was read in, with
 * `experiment:updated` (and the state change) written with it. Each call adds `trials` again:
 * it is an action, as Optuna's `optimize` called twice runs twice. Throws InvalidSpecError (a
 * failed experiment, an exhausted search space, a count out of range), EXPERIMENT_NOT_FOUND or
 * STATE_CONFLICT.
 */
export function extendExperiment(store: Store, experimentId: string, trials: number): Promise<ExperimentRecord> {
  return store.transaction(async (tx) => {
    await tx.experiments.lock(experimentId)
    const record = await tx.experiments.get(experimentId)
    if (!record) throw new TunewellError('EXPERIMENT_NOT_FOUND', `experiment ${experimentId} not found`)
    const counts = await tx.trials.countByState(record.id)
    const next = extendSpec({
      name: record.name,
      spec: record.spec,
      state: record.state,
      reason: record.reason,
      trialCount: Object.values(counts).reduce((a, b) => a + b, 0),
    }, trials)
    if (next === record.spec) return record
    const restart = isCompleted(record)
    const updated = restart
      ? await tx.experiments.transition(record.id, [record.state], {
        state: 'Restarting', spec: next, reason: 'ExperimentRestarting',
        message: `experiment is restarting with ${trials} more ${trials === 1 ? 'trial' : 'trials'}`, completedAt: null,
      })
      : await tx.experiments.transition(record.id, [record.state], { state: record.state, spec: next })
    if (!updated) throw new TunewellError('STATE_CONFLICT', `experiment "${record.name}" changed state while it was being extended; retry`)
    await tx.events.appendMany([
      { experimentId: record.id, type: 'experiment:updated', payload: { spec: Object.fromEntries(EDITABLE_SPEC_FIELDS.map((key) => [key, next.spec[key]])) } },
      ...(restart ? [{ experimentId: record.id, type: 'experiment:state-changed' as const, payload: { state: 'Restarting' as const } }] : []),
    ])
    return updated
  })
}
