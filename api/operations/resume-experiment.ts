import { TunewellError } from '../../core/errors.ts'
import type { ExperimentRecord, Store } from '../../db/store.ts'
import { restartExperiment } from '../../lifecycle/restart-experiment.ts'
import { findExperiment, isCompleted } from './find-experiment.ts'
import { STOPPED_REASON } from './stop-experiment.ts'

/**
 * Katib's resumePolicy: a completed experiment may run again only with LongRunning or
 * FromVolume (Never: 409), and only if it ended because it was stopped or reached
 * maxTrialCount (a goal reached, an exhausted search space or a failure are final). It goes to
 * Restarting and the controller continues it; an experiment that is not completed is left as it
 * is, so a retried resume is harmless.
 */
export async function resumeExperiment(store: Store, name: string): Promise<ExperimentRecord> {
  return store.transaction(async (tx) => {
    const record = await findExperiment(tx, name)
    await tx.experiments.lock(record.id)
    if (!isCompleted(record)) return record
    const spec = record.spec.spec
    const policy = spec.resumePolicy ?? 'Never'
    if (policy === 'Never') {
      throw new TunewellError('STATE_CONFLICT', `experiment "${name}" has resumePolicy Never, so once completed it cannot run again (Katib's rule); ` +
        'submit it again under a new name with spec.resumePolicy: LongRunning to be able to resume it')
    }
    if (record.reason !== STOPPED_REASON && record.reason !== 'ExperimentMaxTrialsReached') {
      throw new TunewellError('STATE_CONFLICT', `experiment "${name}" ended with ${record.reason}, which is final; only a stopped experiment or one that reached maxTrialCount can be resumed`)
    }
    if (record.reason === 'ExperimentMaxTrialsReached') {
      const counts = await tx.trials.countByState(record.id)
      const trials = Object.values(counts).reduce((a, b) => a + b, 0)
      if (spec.maxTrialCount !== undefined && spec.maxTrialCount <= trials) {
        throw new TunewellError('STATE_CONFLICT', `experiment "${name}" already ran its maxTrialCount of ${spec.maxTrialCount} trials; ` +
          'raise spec.maxTrialCount with PATCH, which restarts it')
      }
    }
    const restarted = await restartExperiment(tx, record.id, 'experiment is restarting')
    if (!restarted) throw new TunewellError('STATE_CONFLICT', `experiment "${name}" changed state while it was being resumed; retry`)
    return restarted
  })
}
