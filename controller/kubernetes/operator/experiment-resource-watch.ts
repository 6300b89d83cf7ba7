import { Watch, type KubeConfig } from '@kubernetes/client-node'
import { SharedWatch } from '../shared-watch.ts'
import type { Json } from '../workload-api.ts'
import type { ExperimentResourceApi } from './experiment-resource-api.ts'
import type { ExperimentResourceRef } from './experiment-resource.ts'

export interface ExperimentResourceListener {
  /** A resource appeared or changed (a new resourceVersion), or was there when the list came in. */
  changed(resource: Json): void
  /** A resource is gone (a DELETED event, or absent from a relist after 410 Gone). */
  deleted(ref: ExperimentResourceRef): void
  /** The first list is in (changed() had each resource it holds). */
  ready(): void
  /** Listing or watching failed; the watch retries on its own. */
  error(message: string): void
}

/** Everything the watch covers has one key: the operator wants all of them. */
const ALL = '*'

/**
 * The Experiment resources of one namespace (or of all of them): list + watch through the
 * executor's SharedWatch (resumed from the last resourceVersion, relisted on 410 Gone, retried
 * after drops), turned into what changed since the last time: each resource by uid with the
 * resourceVersion last passed on.
 */
export class ExperimentResourceWatch {
  /** undefined: every namespace. */
  readonly namespace: string | undefined
  readonly #shared: SharedWatch
  readonly #listener: ExperimentResourceListener
  /** uid → the resource as last passed on. */
  readonly #known = new Map<string, Json>()
  #unsubscribe: (() => void) | undefined
  #ready = false

  constructor(kubeConfig: KubeConfig, api: ExperimentResourceApi, namespace: string | undefined, listener: ExperimentResourceListener, retryMs = 1000) {
    this.namespace = namespace
    this.#listener = listener
    this.#shared = new SharedWatch(
      { list: () => api.list(namespace), path: async () => api.collectionPath(namespace), labelSelector: '' },
      new Watch(kubeConfig),
      { keyOf: () => ALL, retryMs },
    )
  }

  /** Whether the first list is in: until then, a resource not seen may still exist. */
  get ready(): boolean {
    return this.#ready
  }

  /** Whether this watch covers `namespace`. */
  covers(namespace: string): boolean {
    return this.namespace === undefined || this.namespace === namespace
  }

  /** The resources as last seen. */
  resources(): Json[] {
    return [...this.#known.values()]
  }

  start(): void {
    this.#unsubscribe ??= this.#shared.subscribe(ALL, {
      onChange: (objects) => this.#onChange(objects),
      onError: (message) => this.#listener.error(message),
    })
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    this.#shared.stop()
  }

  #onChange(objects: readonly Json[]): void {
    // SharedWatch calls only once a list is in; the current objects come with every call.
    const first = !this.#ready
    this.#ready = true
    const seen = new Set<string>()
    for (const object of objects) {
      const uid = String(object.metadata?.uid ?? '')
      if (!uid) continue
      seen.add(uid)
      const before = this.#known.get(uid)
      if (before && before.metadata?.resourceVersion === object.metadata?.resourceVersion) continue
      this.#known.set(uid, object)
      this.#listener.changed(object)
    }
    for (const [uid, object] of [...this.#known]) {
      if (seen.has(uid)) continue
      this.#known.delete(uid)
      this.#listener.deleted(refOf(object))
    }
    if (first) this.#listener.ready()
  }
}

export function refOf(resource: Json): ExperimentResourceRef {
  const metadata: Json = resource.metadata ?? {}
  return { namespace: String(metadata.namespace ?? ''), name: String(metadata.name ?? ''), uid: String(metadata.uid ?? '') }
}
