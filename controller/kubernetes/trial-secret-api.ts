import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Secret } from '@kubernetes/client-node'
import { statusCodeOf } from './kube-error.ts'
import type { WorkloadOwner } from './render-workload.ts'
import { retrying } from './retrying.ts'
import type { JsonObject as Json } from './walk-objects.ts'
import { MANAGED_BY, MANAGED_BY_LABEL, TRIAL_LABEL } from './workload-labels.ts'

/**
 * A trial's push-token Secret on the cluster (trial-secret.ts renders it): created before the
 * workload, because its pods read it when their containers start; owned by the workload once
 * that exists, so the garbage collector deletes it with the workload. One request per trial to
 * create it and one to own it; a 409 (a create that went through before a crash, or an earlier
 * attempt's) adopts the existing one when it is this trial's. The RBAC this needs: create,
 * patch and delete on secrets, never get, list or watch (deploy/base/clusterrole.yaml).
 */
export class TrialSecretApi {
  readonly #core: CoreV1Api
  readonly #retryMs: number

  constructor(kubeConfig: KubeConfig, retryMs: number) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api)
    this.#retryMs = retryMs
  }

  /**
   * Creates the Secret, or brings this trial's existing one to this token (a restarted
   * controller hands out new tokens). The existing one is changed by a JSON patch that first
   * tests its labels, so one that is not this trial's is refused (422) untouched, and the
   * controller needs no right to read Secrets.
   */
  async ensure(secret: Json, trialName: string): Promise<void> {
    const metadata = secret.metadata as { name: string; namespace: string }
    try {
      await retrying(() => this.#core.createNamespacedSecret({ namespace: metadata.namespace, body: secret as V1Secret }), this.#retryMs)
      return
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error
    }
    const label = (key: string) => `/metadata/labels/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`
    const patch = [
      { op: 'test', path: label(MANAGED_BY_LABEL), value: MANAGED_BY },
      { op: 'test', path: label(TRIAL_LABEL), value: trialName },
      { op: 'replace', path: '/data', value: secret.data },
    ]
    try {
      await retrying(() => this.#core.patchNamespacedSecret({ name: metadata.name, namespace: metadata.namespace, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)), this.#retryMs)
    } catch (error) {
      if (statusCodeOf(error) !== 422) throw error
      throw new Error(`a Secret named ${metadata.namespace}/${metadata.name} already exists and is not this trial's (it lacks the labels Tunewell gives its trials); delete or rename it`)
    }
  }

  /** Makes the workload the Secret's owner (deleting the workload deletes it). Best effort: a Secret left over is harmless and the next attempt adopts it. */
  async own(secret: Json, owner: WorkloadOwner): Promise<void> {
    const metadata = secret.metadata as { name: string; namespace: string }
    const ownerReferences = [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, blockOwnerDeletion: false }]
    await retrying(
      () => this.#core.patchNamespacedSecret({ name: metadata.name, namespace: metadata.namespace, body: { metadata: { ownerReferences } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      this.#retryMs,
    ).catch(() => undefined)
  }

  /** Deletes it (its workload could not be created). Best effort. */
  async delete(secret: Json): Promise<void> {
    const metadata = secret.metadata as { name: string; namespace: string }
    await retrying(() => this.#core.deleteNamespacedSecret({ name: metadata.name, namespace: metadata.namespace }), this.#retryMs).catch(() => undefined)
  }
}
