import type { ExperimentRecord, Store } from '../db/store.ts'

/**
 * A completed experiment (Succeeded or Failed) goes back to Restarting, for its controller to
 * continue it, with its event, in one transaction. The caller has checked Katib's resume rules.
 * Compare-and-set: resolves undefined, writing nothing, when it was not completed.
 */
export function restartExperiment(store: Store, experimentId: string, message: string): Promise<ExperimentRecord | undefined> {
  return store.transaction(async (tx) => {
    const restarted = await tx.experiments.transition(experimentId, ['Succeeded', 'Failed'], {
      state: 'Restarting', reason: 'ExperimentRestarting', message, completedAt: null,
    })
    if (restarted) await tx.events.append({ experimentId, type: 'experiment:state-changed', payload: { state: 'Restarting' } })
    return restarted
  })
}
