import type { Experiment } from '../../../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../../../db/store.ts'
import { experimentSeed } from '../../../suggestion/experiment-seed.ts'
import { seedWarmStart } from '../../../suggestion/seed-warm-start.ts'

/**
 * Stores a checked experiment of the operator as a submission to the API is stored (api/
 * operations/create-experiment.ts): Created, with its `experiment:created` event and Katib's
 * ExperimentCreated reason, in one transaction. Throws TunewellError('EXPERIMENT_EXISTS')
 * when the name is taken meanwhile (another replica was quicker), InvalidSpecError when its
 * warm start (tunewell.dev/warm-start-from) names no experiment or one that does not fit.
 */
export function createOwnedExperiment(store: Store, experiment: Experiment): Promise<ExperimentRecord> {
  const name = experiment.metadata.name
  return store.transaction(async (tx) => {
    const created = await tx.experiments.create({ name, spec: experiment, seed: experimentSeed(experiment) })
    await seedWarmStart(tx, created)
    await tx.events.append({ experimentId: created.id, type: 'experiment:created', payload: { name } })
    return tx.experiments.update(created.id, { reason: 'ExperimentCreated', message: 'experiment is created from its Experiment resource' })
  })
}
