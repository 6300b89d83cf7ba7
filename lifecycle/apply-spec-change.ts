import { TunewellError } from '../core/errors.ts'
import type { Experiment, SpecChange } from '../core/spec/index.ts'
import { checkSpecChange, EDITABLE_SPEC_FIELDS } from '../core/spec/index.ts'
import type { ExperimentRecord, Store, TrialRecord } from '../db/store.ts'
import { isCompleted } from './is-completed.ts'
import { stopExcessTrials } from './stop-excess-trials.ts'

/**
 * A new spec for an existing experiment (a PATCH, or `tunewell run` on a changed file), by
 * Katib's update rules (core/spec/spec-change.ts): unchanged, the counts updated in place, or a
 * completed experiment restarted with a larger budget. Under the experiment's lock, in one
 * transaction, the rules are judged on the experiment as it is now, its row is changed by
 * compare-and-set on that state, and the event (`experiment:updated`, or the state change to
 * Restarting) is written with it. A parallelTrialCount below the number of active trials stops
 * the newest of them in the same transaction, as Katib does (stop-excess-trials.ts); trials of
 * outside workers (no trialTemplate) are theirs to finish, and the lower count only limits new
 * asks. Throws InvalidSpecError (the rules refuse, `startOver` ends the message),
 * EXPERIMENT_NOT_FOUND, or STATE_CONFLICT.
 */
export function applySpecChange(
  store: Store,
  experimentId: string,
  next: Experiment,
  startOver: string,
): Promise<{ readonly experiment: ExperimentRecord; readonly change: SpecChange['kind']; readonly stopped: readonly TrialRecord[] }> {
  return store.transaction(async (tx) => {
    await tx.experiments.lock(experimentId)
    const record = await tx.experiments.get(experimentId)
    if (!record) throw new TunewellError('EXPERIMENT_NOT_FOUND', `experiment ${experimentId} not found`)
    const counts = await tx.trials.countByState(record.id)
    const change = checkSpecChange({
      name: record.name,
      spec: record.spec,
      completed: isCompleted(record),
      reason: record.reason,
      trialCount: Object.values(counts).reduce((a, b) => a + b, 0),
    }, next, startOver)
    if (change.kind === 'unchanged') return { experiment: record, change: change.kind, stopped: [] }
    const updated = change.kind === 'update'
      ? await tx.experiments.transition(record.id, [record.state], { state: record.state, spec: next })
      : await tx.experiments.transition(record.id, [record.state], {
        state: 'Restarting', spec: next, reason: 'ExperimentRestarting',
        message: 'experiment is restarting with a larger budget', completedAt: null,
      })
    if (!updated) throw new TunewellError('STATE_CONFLICT', `experiment "${record.name}" changed state while it was being updated; retry`)
    // A restart changed the counts too: its experiment:updated is what counts spec changes (the
    // Kubernetes API's metadata.generation), the state event what moves the experiment.
    await tx.events.appendMany([
      { experimentId: record.id, type: 'experiment:updated', payload: { spec: editableCounts(next) } },
      ...(change.kind === 'restart' ? [{ experimentId: record.id, type: 'experiment:state-changed' as const, payload: { state: 'Restarting' as const } }] : []),
    ])
    const [before, parallel] = [record.spec.spec.parallelTrialCount ?? 3, next.spec.parallelTrialCount ?? 3]
    const why = before > parallel ? `parallelTrialCount was lowered from ${before} to ${parallel}` : `more than parallelTrialCount ${parallel} trials were active`
    const stopped = change.kind === 'update' && next.spec.trialTemplate
      ? await stopExcessTrials(tx, record.id, parallel, `stopped because ${why}, newest first as Katib does; it does not count towards maxTrialCount`)
      : []
    return { experiment: updated, change: change.kind, stopped }
  })
}

function editableCounts(experiment: Experiment): Record<string, number | undefined> {
  return Object.fromEntries(EDITABLE_SPEC_FIELDS.map((key) => [key, experiment.spec[key]]))
}
