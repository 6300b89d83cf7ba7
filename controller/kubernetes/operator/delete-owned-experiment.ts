import { TunewellError } from '../../../core/errors.ts'
import type { ExperimentRecord, Store } from '../../../db/store.ts'
import { completeExperiment } from '../../../lifecycle/complete-experiment.ts'
import { isKubernetesHandle } from '../kubernetes-handle.ts'
import { kubeErrorMessage } from '../kube-error.ts'
import { EXPERIMENT_LABEL, MANAGED_SELECTOR } from '../workload-labels.ts'
import type { WorkloadApi, WorkloadRef } from '../workload-api.ts'

export interface DeleteOwnedDeps {
  readonly store: Store
  /** Stops the experiment's runner here (the supervisor's detach) and resolves once it is gone. */
  readonly detach: (experimentId: string) => Promise<void>
  readonly workloads: Pick<WorkloadApi, 'list' | 'delete'>
  readonly log: (message: string) => void
}

/**
 * An operator-owned experiment whose Experiment resource is gone: deleted as `tunewell delete`
 * deletes one (api/operations/delete-experiment.ts), and its trials' workloads with it. First
 * completed (Succeeded, ExperimentStopped: its Pending and Running trials Killed), so that no
 * controller, here or in another replica, starts anything for it again; then its runner here is
 * stopped; then every workload of its trials is deleted with its pods (propagation Background),
 * those the trials' handles name (that very object, by uid) and those carrying its label (a
 * workload whose handle never reached the database); then the experiment with its trials,
 * observations and events. On a real cluster the garbage collector deletes the workloads too
 * (their ownerReferences); this does it where the resource was deleted while no controller ran,
 * and where it cannot (the API refuses), the workloads are left to it, logged.
 */
export async function deleteOwnedExperiment(deps: DeleteOwnedDeps, record: ExperimentRecord, why: string): Promise<void> {
  const { store } = deps
  try {
    await completeExperiment(store, record.id, { state: 'Succeeded', reason: 'ExperimentStopped', message: why }, `killed because ${why}`)
  } catch (error) {
    // Deleted meanwhile (another replica, `tunewell delete`): what was wanted, its workloads with it.
    if (isNotFound(error)) return
    throw error
  }
  await deps.detach(record.id)
  const trials = await store.trials.list(record.id)
  const kinds = new Map<string, Omit<WorkloadRef, 'name'>>()
  const template = record.spec.spec.trialTemplate?.trialSpec as { apiVersion?: unknown; kind?: unknown } | undefined
  const namespace = record.spec.metadata.namespace
  if (namespace && typeof template?.apiVersion === 'string' && typeof template.kind === 'string') {
    kinds.set(`${template.apiVersion}/${template.kind}/${namespace}`, { apiVersion: template.apiVersion, kind: template.kind, namespace })
  }
  for (const trial of trials) {
    const handle = trial.execution
    if (!isKubernetesHandle(handle)) continue
    kinds.set(`${handle.apiVersion}/${handle.workloadKind}/${handle.namespace}`, { apiVersion: handle.apiVersion, kind: handle.workloadKind, namespace: handle.namespace })
    await deleteWorkload(deps, { apiVersion: handle.apiVersion, kind: handle.workloadKind, namespace: handle.namespace, name: handle.name }, handle.uid || undefined)
  }
  const selector = `${EXPERIMENT_LABEL}=${record.name},${MANAGED_SELECTOR}`
  for (const kind of kinds.values()) {
    try {
      const { items } = await deps.workloads.list(kind.apiVersion, kind.kind, kind.namespace, selector)
      for (const item of items) {
        await deleteWorkload(deps, { ...kind, name: String(item.metadata?.name) }, item.metadata?.uid)
      }
    } catch (error) {
      deps.log(`experiment "${record.name}": cannot list its ${kind.kind}s in ${kind.namespace} to delete them: ${kubeErrorMessage(error)}`)
    }
  }
  try {
    await store.experiments.delete(record.id)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
}

const isNotFound = (error: unknown) => error instanceof TunewellError && error.code === 'EXPERIMENT_NOT_FOUND'

async function deleteWorkload(deps: DeleteOwnedDeps, ref: WorkloadRef, uid: string | undefined): Promise<void> {
  try {
    await deps.workloads.delete(ref, uid)
  } catch (error) {
    deps.log(`cannot delete ${ref.kind} ${ref.namespace}/${ref.name}: ${kubeErrorMessage(error)}`)
  }
}
