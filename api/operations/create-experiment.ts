import { InvalidSpecError, type SpecIssue } from '../../core/errors.ts'
import type { Experiment } from '../../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../../db/store.ts'
import { experimentSeed } from '../../suggestion/experiment-seed.ts'
import { seedWarmStart } from '../../suggestion/seed-warm-start.ts'
import { checkSubmission, type Submission } from './check-submission.ts'

export type { Submission } from './check-submission.ts'

/**
 * Accepts an experiment with the CLI's checks (suggestion/check-experiment.ts): every problem
 * at once, with line:col for YAML (422), then `admit`'s (e.g. can this server run it). A name
 * already taken is EXPERIMENT_EXISTS (409); a warm start from an experiment that does not exist
 * or does not fit is 422 at its annotation. The new experiment is Created; the controller
 * starts it.
 */
export async function createExperiment(
  store: Store,
  submission: Submission,
  admit?: (experiment: Experiment) => readonly SpecIssue[],
): Promise<{ record: ExperimentRecord; warnings: readonly SpecIssue[] }> {
  const checked = checkSubmission(submission, admit)
  if (!checked.experiment) throw new InvalidSpecError(checked.issues)
  const experiment = checked.experiment
  const name = experiment.metadata.name
  const record = await store.transaction(async (tx) => {
    const created = await tx.experiments.create({ name, spec: experiment, seed: experimentSeed(experiment) })
    await seedWarmStart(tx, created)
    await tx.events.append({ experimentId: created.id, type: 'experiment:created', payload: { name } })
    return tx.experiments.update(created.id, { reason: 'ExperimentCreated', message: 'experiment is created' })
  })
  return { record, warnings: checked.warnings }
}
