import { BatchV1Api, CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1Job } from '@kubernetes/client-node'
import { statusCodeOf } from './kube-error.ts'

export type Json = Record<string, any>

/** Where a workload is: enough to read, watch or delete it. */
export interface WorkloadRef {
  readonly apiVersion: string
  readonly kind: string
  readonly namespace: string
  readonly name: string
}

/** One page-complete list: the items as the API sends them (plain JSON) and the list's resourceVersion, to watch from. */
export interface ListResult {
  readonly items: Json[]
  readonly resourceVersion: string
}

/** The kind is served by no API of the cluster (its CRD is not installed): permanent, like a 404. */
export class UnknownKindError extends Error {}

const PAGE = 500

const isJob = (apiVersion: string, kind: string) => apiVersion === 'batch/v1' && kind === 'Job'

/**
 * KubernetesObjectApi with discovery made public: the collection path of a kind (its plural
 * comes from the API's discovery document, cached per apiVersion), for watches.
 */
class DiscoveringObjectApi extends KubernetesObjectApi {
  async collectionPath(apiVersion: string, kind: string, namespace: string): Promise<string> {
    return this.specUriPath({ apiVersion, kind, metadata: { namespace } }, 'list')
  }
}

/**
 * The few API calls the executor makes, for any workload kind: batch/v1 Jobs through the typed
 * BatchV1Api, every other kind (TFJob, PyTorchJob, TrainJob, Workflow, PipelineRun, ...)
 * through the generic KubernetesObjectApi, which finds the kind's resource by discovery. What
 * comes back is plain JSON, as on the wire (the typed models turn times into Dates), so that
 * GJSON conditions see what Katib sees.
 */
export class WorkloadApi {
  readonly #batch: BatchV1Api
  readonly #core: CoreV1Api
  readonly #objects: DiscoveringObjectApi

  constructor(kubeConfig: KubeConfig) {
    this.#batch = kubeConfig.makeApiClient(BatchV1Api)
    this.#core = kubeConfig.makeApiClient(CoreV1Api)
    this.#objects = kubeConfig.makeApiClient(DiscoveringObjectApi)
  }

  async create(manifest: Json): Promise<Json> {
    const { apiVersion, kind } = manifest as { apiVersion: string; kind: string }
    const namespace = String(manifest.metadata?.namespace)
    if (isJob(apiVersion, kind)) return plain(await this.#batch.createNamespacedJob({ namespace, body: manifest as V1Job }))
    return plain(await this.#discovering(apiVersion, kind, () => this.#objects.create(manifest as KubernetesObject)))
  }

  /** The object, or undefined when there is none of that name. */
  async read(ref: WorkloadRef): Promise<Json | undefined> {
    try {
      if (isJob(ref.apiVersion, ref.kind)) return plain(await this.#batch.readNamespacedJob({ name: ref.name, namespace: ref.namespace }))
      const header = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }
      return plain(await this.#discovering(ref.apiVersion, ref.kind, () => this.#objects.read(header)))
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined
      throw error
    }
  }

  /**
   * Deletes it with its pods (propagationPolicy Background: the object goes now, the garbage
   * collector takes its dependents). With `uid`, only that very object (a precondition: one of
   * the same name created since is left alone). Resolves whether it was there to delete.
   */
  async delete(ref: WorkloadRef, uid?: string): Promise<boolean> {
    const body = uid ? { preconditions: { uid } } : undefined
    try {
      if (isJob(ref.apiVersion, ref.kind)) {
        await this.#batch.deleteNamespacedJob({ name: ref.name, namespace: ref.namespace, propagationPolicy: 'Background', ...(body ? { body } : {}) })
      } else {
        const header = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }
        await this.#discovering(ref.apiVersion, ref.kind, () => this.#objects.delete(header, undefined, undefined, undefined, undefined, 'Background', body))
      }
      return true
    } catch (error) {
      // 409 Conflict: the uid precondition failed, the object of that name is another one.
      if (statusCodeOf(error) === 404 || (uid && statusCodeOf(error) === 409)) return false
      throw error
    }
  }

  /** Every object of a kind in a namespace that carries `labelSelector`, page by page. */
  async list(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<ListResult> {
    const items: Json[] = []
    let token: string | undefined
    let resourceVersion = ''
    do {
      const page: Json = isJob(apiVersion, kind)
        ? plain(await this.#batch.listNamespacedJob({ namespace, labelSelector, limit: PAGE, ...(token ? { _continue: token } : {}) }))
        : apiVersion === 'v1' && kind === 'Pod'
          ? plain(await this.#core.listNamespacedPod({ namespace, labelSelector, limit: PAGE, ...(token ? { _continue: token } : {}) }))
          : plain(await this.#discovering(apiVersion, kind, () => this.#objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector, PAGE, token)))
      items.push(...((page.items as Json[] | undefined) ?? []))
      resourceVersion = String(page.metadata?.resourceVersion ?? '')
      token = page.metadata?.continue || page.metadata?._continue || undefined
    } while (token)
    return { items, resourceVersion }
  }

  /** The URL path of a kind's collection in a namespace (`/apis/batch/v1/namespaces/x/jobs`), from discovery. */
  async collectionPath(apiVersion: string, kind: string, namespace: string): Promise<string> {
    if (isJob(apiVersion, kind)) return `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`
    if (apiVersion === 'v1' && kind === 'Pod') return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`
    return this.#discovering(apiVersion, kind, () => this.#objects.collectionPath(apiVersion, kind, namespace))
  }

  /** The text at `key` of a ConfigMap (the configMap trialTemplate source); undefined when the ConfigMap or the key is missing. */
  async configMapEntry(namespace: string, name: string, key: string): Promise<string | undefined> {
    try {
      const configMap = await this.#core.readNamespacedConfigMap({ name, namespace })
      return configMap.data?.[key]
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined
      throw error
    }
  }

  /** client-node's discovery throws a plain Error for a kind the cluster does not serve; it is permanent. */
  async #discovering<T>(apiVersion: string, kind: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      const unserved = statusCodeOf(error) === undefined ? /Unrecognized API version and kind/ : /Failed to fetch resource metadata/
      if (error instanceof Error && (statusCodeOf(error) === undefined || statusCodeOf(error) === 404) && unserved.test(error.message)) {
        throw new UnknownKindError(`the cluster serves no ${kind} in ${apiVersion}; is its CustomResourceDefinition (its operator) installed?`)
      }
      throw error
    }
  }
}

/** The typed models' objects back to wire JSON (Dates to RFC 3339 text). */
function plain(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json
}
