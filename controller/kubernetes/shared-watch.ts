import type { Watch } from '@kubernetes/client-node'
import { kubeErrorMessage, statusCodeOf } from './kube-error.ts'
import type { Json, ListResult } from './workload-api.ts'

export interface WatchSource {
  /** A consistent list of every object the watch covers, and the resourceVersion to watch from. */
  list(): Promise<ListResult>
  /** The collection's URL path (`/apis/batch/v1/namespaces/x/jobs`). */
  path(): Promise<string>
  readonly labelSelector: string
}

export interface WatchListener {
  /**
   * The objects of the listener's key now (none: there is none, or no more). `listed`: this
   * comes from a full list (a start or a relist after 410 Gone), not from one watch event.
   */
  onChange(objects: readonly Json[], listed: boolean): void
  /** Listing or watching failed (the watch retries on its own); `code` is the HTTP status, if any. */
  onError?(message: string, code: number | undefined): void
}

export interface SharedWatchOptions {
  /** Delay before a retry after an error (a broken connection, a refused list). */
  readonly retryMs?: number
  /** Which key an object belongs to: its name for workloads, its trial label for pods. */
  readonly keyOf: (object: Json) => string | undefined
  /** The watch ended for good (no listeners left). */
  readonly onIdle?: () => void
}

/**
 * One list + watch of a kind in a namespace, shared by every trial there, so a thousand trials
 * cost one connection and not a thousand polls. It keeps the latest version of each object it
 * covers (only ours: the source's label selector), resumes a dropped watch from the last
 * resourceVersion it saw, and relists when the server says that version is gone (410 Gone, as
 * an HTTP status or as an ERROR event), telling each listener what the new list holds for it.
 * Memory is what the selected objects take, kept while they exist; it stops once no listener
 * is left.
 */
export class SharedWatch {
  readonly #source: WatchSource
  readonly #watch: Watch
  readonly #options: SharedWatchOptions
  /** The objects by key, each key's by uid; and each uid's key, for an object whose key changes. */
  readonly #byKey = new Map<string, Map<string, Json>>()
  readonly #keyOfUid = new Map<string, string>()
  readonly #listeners = new Map<string, Set<WatchListener>>()
  #resourceVersion = ''
  #listed = false
  #running = false
  #abort: AbortController | undefined
  #retry: NodeJS.Timeout | undefined
  #generation = 0

  constructor(source: WatchSource, watch: Watch, options: SharedWatchOptions) {
    this.#source = source
    this.#watch = watch
    this.#options = options
  }

  /** Starts listening for `key`: the current objects come at once when the list is in, changes as they happen. */
  subscribe(key: string, listener: WatchListener): () => void {
    let set = this.#listeners.get(key)
    if (!set) this.#listeners.set(key, (set = new Set()))
    set.add(listener)
    if (this.#listed) queueMicrotask(() => set!.has(listener) && listener.onChange(this.#objectsOf(key), false))
    if (!this.#running) this.#start()
    return () => {
      set!.delete(listener)
      if (set!.size === 0) this.#listeners.delete(key)
      if (this.#listeners.size === 0) this.stop()
    }
  }

  /** The latest version seen of the objects of `key`. */
  objectsOf(key: string): Json[] {
    return this.#objectsOf(key)
  }

  stop(): void {
    if (!this.#running) return
    this.#running = false
    this.#generation++
    clearTimeout(this.#retry)
    this.#abort?.abort()
    this.#abort = undefined
    this.#byKey.clear()
    this.#keyOfUid.clear()
    this.#listed = false
    this.#resourceVersion = ''
    this.#options.onIdle?.()
  }

  #start(): void {
    this.#running = true
    void this.#relist(this.#generation)
  }

  async #relist(generation: number): Promise<void> {
    let listing: ListResult
    try {
      listing = await this.#source.list()
    } catch (error) {
      return this.#failed(generation, error)
    }
    if (generation !== this.#generation) return
    this.#byKey.clear()
    this.#keyOfUid.clear()
    for (const item of listing.items) this.#put(item)
    this.#resourceVersion = listing.resourceVersion
    this.#listed = true
    for (const key of [...this.#listeners.keys()]) this.#notify(key, true)
    await this.#watchFrom(generation)
  }

  async #watchFrom(generation: number): Promise<void> {
    let path: string
    try {
      path = await this.#source.path()
    } catch (error) {
      return this.#failed(generation, error)
    }
    if (generation !== this.#generation) return
    let gone = false
    const query = { resourceVersion: this.#resourceVersion, labelSelector: this.#source.labelSelector, allowWatchBookmarks: true }
    const onEvent = (type: string, object: Json): void => {
      if (generation !== this.#generation) return
      if (type === 'ERROR') {
        // A Status: 410 Gone (the resourceVersion is too old) means relist; others end this watch.
        if (object?.code === 410) gone = true
        return
      }
      const version = object?.metadata?.resourceVersion
      if (typeof version === 'string' && version !== '') this.#resourceVersion = version
      if (type === 'BOOKMARK') return
      const previousKey = this.#keyOfUid.get(uidOf(object))
      if (type === 'DELETED') this.#remove(uidOf(object))
      else if (type === 'ADDED' || type === 'MODIFIED') this.#put(object)
      else return
      const key = this.#options.keyOf(object)
      if (previousKey !== undefined && previousKey !== key) this.#notify(previousKey, false)
      if (key !== undefined) this.#notify(key, false)
    }
    const onDone = (error: unknown): void => {
      if (generation !== this.#generation) return
      this.#abort = undefined
      if (gone || statusCodeOf(error) === 410) {
        this.#resourceVersion = ''
        void this.#relist(generation)
      } else if (error) {
        this.#failed(generation, error, () => this.#watchFrom(generation))
      } else {
        // The server ends watches now and then (its timeout): go on from where it was.
        void this.#watchFrom(generation)
      }
    }
    try {
      this.#abort = await this.#watch.watch(path, query, onEvent, onDone)
    } catch (error) {
      onDone(error)
    }
  }

  #failed(generation: number, error: unknown, again: () => Promise<void> = () => this.#relist(generation)): void {
    if (generation !== this.#generation) return
    const message = kubeErrorMessage(error)
    const code = statusCodeOf(error)
    for (const set of this.#listeners.values()) for (const listener of [...set]) listener.onError?.(message, code)
    clearTimeout(this.#retry)
    this.#retry = setTimeout(() => void again(), this.#options.retryMs ?? 1000)
  }

  #notify(key: string, listed: boolean): void {
    const set = this.#listeners.get(key)
    if (!set) return
    const objects = this.#objectsOf(key)
    for (const listener of [...set]) listener.onChange(objects, listed)
  }

  #objectsOf(key: string): Json[] {
    return [...(this.#byKey.get(key)?.values() ?? [])]
  }

  #put(object: Json): void {
    const uid = uidOf(object)
    this.#remove(uid)
    const key = this.#options.keyOf(object)
    if (key === undefined) return
    let objects = this.#byKey.get(key)
    if (!objects) this.#byKey.set(key, (objects = new Map()))
    objects.set(uid, object)
    this.#keyOfUid.set(uid, key)
  }

  #remove(uid: string): void {
    const key = this.#keyOfUid.get(uid)
    if (key === undefined) return
    this.#keyOfUid.delete(uid)
    const objects = this.#byKey.get(key)
    objects?.delete(uid)
    if (objects?.size === 0) this.#byKey.delete(key)
  }
}

/** Objects are kept by uid: a workload deleted and created again under its name is another object. */
function uidOf(object: Json): string {
  const metadata = object?.metadata ?? {}
  return String(metadata.uid ?? `${metadata.namespace}/${metadata.name}`)
}
