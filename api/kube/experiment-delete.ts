import type { Store } from '../../db/store.ts'
import type { ExperimentControl } from '../app-options.ts'
import { deleteExperiment } from '../operations/delete-experiment.ts'
import { isObject } from './experiment-document.ts'
import { experimentObject } from './experiment-object.ts'
import { findKubeExperiment } from './find-kube-experiment.ts'
import { badRequest, conflict, successStatus, type KubeStatus } from './kube-status.ts'

/**
 * DELETE of an Experiment, as a server deletes a custom resource without finalizers: gone at
 * once (stopped first, its trial processes ended, then removed with its trials and events by
 * the same operation as the REST API's delete), answered with Status Success naming it. The
 * DeleteOptions body's preconditions (uid, resourceVersion) are checked first, 409 Conflict
 * when they do not hold; `dryRun` checks all that and deletes nothing. propagationPolicy and
 * gracePeriodSeconds change nothing here: an experiment's trials always go with it.
 *
 * The preconditions are read before the delete, not under one lock with it: stopping an
 * experiment waits for its trial processes, which must not happen inside a transaction.
 */
export async function deleteKubeExperiment(
  store: Store,
  namespace: string,
  name: string,
  options: unknown,
  dryRun: boolean,
  control?: ExperimentControl,
): Promise<KubeStatus> {
  if (options !== undefined && options !== null && options !== '' && !isObject(options)) throw badRequest('the body of the request is not a DeleteOptions object')
  const preconditions = isObject(options) && isObject(options.preconditions) ? options.preconditions : {}
  const record = await findKubeExperiment(store, namespace, name)
  if (preconditions.uid !== undefined && preconditions.uid !== null && preconditions.uid !== record.id) {
    throw conflict('experiments', name, `Precondition failed: UID in precondition: ${String(preconditions.uid)}, UID in object meta: ${record.id}`)
  }
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== null) {
    const current = (await experimentObject(store, record)).metadata.resourceVersion
    if (String(preconditions.resourceVersion) !== current) {
      throw conflict('experiments', name, `Precondition failed: ResourceVersion in precondition: ${String(preconditions.resourceVersion)}, ResourceVersion in object meta: ${current}`)
    }
  }
  if (!dryRun) await deleteExperiment(store, name, control)
  return successStatus('experiments', name, record.id)
}
