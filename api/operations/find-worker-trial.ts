import type { ExperimentProgress, ExperimentRecord, PointsSummary, TrialRecord } from '../../db/store.ts'
import { notAskTell } from './ask-tell-errors.ts'
import { experimentNamedNotFound, trialNamedNotFound } from './find-experiment.ts'
import type { WorkerBatches } from './worker-batches.ts'

/**
 * An ask/tell trial by names, in one query (shared with other requests' under load): 404 for
 * unknown names, 409 NOT_ASK_TELL for a trial this server runs. With `points`, its stored points
 * summarised per metric and the experiment's progress (a tell needs them).
 */
export async function findWorkerTrial(
  batches: WorkerBatches, experimentName: string, trialName: string, options?: { readonly points?: boolean },
): Promise<{ experiment: ExperimentRecord; trial: TrialRecord; points: Readonly<Record<string, PointsSummary>>; progress?: ExperimentProgress }> {
  const { experiment, trial, points, progress } = await batches.find(experimentName, trialName, options?.points === true)
  if (!experiment) throw experimentNamedNotFound(experimentName)
  if (!trial) throw trialNamedNotFound(experiment, trialName)
  if (experiment.spec.spec.trialTemplate) throw notAskTell(experiment)
  return { experiment, trial, points: points ?? {}, ...(progress ? { progress } : {}) }
}
