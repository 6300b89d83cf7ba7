import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node'
import { statusCodeOf } from '../kube-error.ts'
import type { Json, ListResult } from '../workload-api.ts'

const GROUP = 'kubeflow.org'
const VERSION = 'v1beta1'
const PLURAL = 'experiments'
const PAGE = 500

/**
 * The calls the operator makes on Katib's Experiment resources (kubeflow.org/v1beta1, the
 * CustomResourceDefinition in deploy/): list and watch, in one namespace or in all of them, and
 * read one. Plain JSON, as on the wire.
 */
export class ExperimentResourceApi {
  readonly #objects: CustomObjectsApi

  constructor(kubeConfig: KubeConfig) {
    this.#objects = kubeConfig.makeApiClient(CustomObjectsApi)
  }

  /** Every Experiment in `namespace` (undefined: in every namespace), page by page, and the version to watch from. */
  async list(namespace: string | undefined): Promise<ListResult> {
    const items: Json[] = []
    let token: string | undefined
    let resourceVersion = ''
    do {
      const paging = { limit: PAGE, ...(token ? { _continue: token } : {}) }
      const page = (namespace === undefined
        ? await this.#objects.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, ...paging })
        : await this.#objects.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, ...paging })) as Json
      items.push(...((page.items as Json[] | undefined) ?? []))
      resourceVersion = String(page.metadata?.resourceVersion ?? '')
      token = page.metadata?.continue || undefined
    } while (token)
    return { items, resourceVersion }
  }

  /** The collection's URL path, to watch. */
  collectionPath(namespace: string | undefined): string {
    return namespace === undefined
      ? `/apis/${GROUP}/${VERSION}/${PLURAL}`
      : `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${PLURAL}`
  }

  /** The Experiment as the API server has it now; undefined when there is none of that name. */
  async read(namespace: string, name: string): Promise<Json | undefined> {
    try {
      return (await this.#objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name })) as Json
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined
      throw error
    }
  }
}
