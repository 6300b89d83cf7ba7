import type { ExperimentRecord, Store } from '../db/store.ts'

/**
 * Created (or Restarting, after a resume or a larger budget) becomes Running, with its event, in
 * one transaction. Compare-and-set: a stop that lands between the caller's read and this write
 * wins, and then nothing is written. Resolves the running experiment, or undefined when it was
 * no longer Created or Restarting.
 */
export function startExperiment(store: Store, experiment: ExperimentRecord, message: string): Promise<ExperimentRecord | undefined> {
  return store.transaction(async (tx) => {
    const running = await tx.experiments.transition(experiment.id, ['Created', 'Restarting'], {
      state: 'Running', reason: 'ExperimentRunning', message, startedAt: experiment.startedAt ?? new Date(),
    })
    if (running) await tx.events.append({ experimentId: experiment.id, type: 'experiment:state-changed', payload: { state: 'Running' } })
    return running
  })
}
