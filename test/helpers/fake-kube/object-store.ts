import { clone, type KubeObject } from './kube-object.ts'
import type { ResourceType } from './resource-types.ts'

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface StoreEvent {
  type: WatchEventType
  resourceVersion: number
  resource: ResourceType
  object: KubeObject
  /** The object before a MODIFIED, so a filtered watch can turn "stopped matching" into DELETED. */
  previous?: KubeObject
}

function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`
}

/**
 * What etcd is to the API server: objects by resource, one resourceVersion counter for all of
 * them (monotonic, as etcd's revision), and a bounded history of changes that watches resume
 * from. Once an event falls out of the window (or `compact()` drops them all), a watch from before
 * it gets 410 Gone, as after an etcd compaction.
 */
export class ObjectStore {
  private revision = 1000
  private readonly objects = new Map<string, Map<string, KubeObject>>()
  private history: StoreEvent[] = []
  private compactedRevision = 1000
  private readonly listeners = new Set<(event: StoreEvent) => void>()
  private readonly typesSeen = new Map<string, ResourceType>()
  // Indexes for garbage collection and the Job controller, so thousands of workloads stay cheap.
  private readonly byUid = new Map<string, [ResourceType, KubeObject]>()
  private readonly byOwner = new Map<string, Set<string>>()

  constructor(private window = 10_000) {}

  get resourceVersion(): number {
    return this.revision
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(typeKey(type))?.get(objectKey(type.namespaced ? namespace : undefined, name))
  }

  /** Live objects (not copies: callers clone before handing them out). */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(typeKey(type))?.values() ?? [])]
    return namespace === undefined || !type.namespaced ? all : all.filter((o) => o.metadata.namespace === namespace)
  }

  /** The object with this uid, whatever its resource. */
  byUidOf(uid: string): [ResourceType, KubeObject] | undefined {
    return this.byUid.get(uid)
  }

  /** Objects with an ownerReference to `uid`. */
  dependents(uid: string): [ResourceType, KubeObject][] {
    return [...(this.byOwner.get(uid) ?? [])].map((dependent) => this.byUid.get(dependent)!).filter(Boolean)
  }

  private index(old: KubeObject | undefined, next: KubeObject | undefined, resource: ResourceType): void {
    if (old) {
      this.byUid.delete(old.metadata.uid!)
      for (const ref of old.metadata.ownerReferences ?? []) {
        const set = this.byOwner.get(ref.uid)
        set?.delete(old.metadata.uid!)
        if (set?.size === 0) this.byOwner.delete(ref.uid)
      }
    }
    if (next) {
      this.byUid.set(next.metadata.uid!, [resource, next])
      for (const ref of next.metadata.ownerReferences ?? []) {
        const set = this.byOwner.get(ref.uid) ?? new Set<string>()
        set.add(next.metadata.uid!)
        this.byOwner.set(ref.uid, set)
      }
    }
  }

  /** Every stored object of every resource. */
  *all(): Generator<[ResourceType, KubeObject]> {
    for (const type of this.typesSeen.values()) {
      for (const object of this.objects.get(typeKey(type))?.values() ?? []) yield [type, object]
    }
  }

  private commit(type: WatchEventType, resource: ResourceType, object: KubeObject, previous?: KubeObject): KubeObject {
    this.revision++
    object.metadata.resourceVersion = String(this.revision)
    this.typesSeen.set(typeKey(resource), resource)
    const byKey = this.objects.get(typeKey(resource)) ?? new Map<string, KubeObject>()
    this.objects.set(typeKey(resource), byKey)
    const key = objectKey(resource.namespaced ? object.metadata.namespace : undefined, object.metadata.name!)
    this.index(byKey.get(key), type === 'DELETED' ? undefined : object, resource)
    if (type === 'DELETED') byKey.delete(key)
    else byKey.set(key, object)
    // Stored objects are never changed in place (every write stores a new one), so events share them.
    const event: StoreEvent = { type, resourceVersion: this.revision, resource, object, previous }
    this.history.push(event)
    this.trim()
    for (const listener of this.listeners) listener(event)
    return object
  }

  add(type: ResourceType, object: KubeObject): KubeObject {
    return this.commit('ADDED', type, object)
  }

  update(type: ResourceType, object: KubeObject): KubeObject {
    return this.commit('MODIFIED', type, object, this.get(type, object.metadata.namespace, object.metadata.name!))
  }

  remove(type: ResourceType, object: KubeObject): KubeObject {
    return this.commit('DELETED', type, clone(object))
  }

  /** Drops the events beyond the window (in batches once the window is large: no O(n) per write). */
  private trim(): void {
    const excess = this.history.length - this.window
    if (excess <= 0 || (this.window >= 1000 && excess < this.window / 10)) return
    const dropped = this.history.splice(0, excess)
    this.compactedRevision = dropped[dropped.length - 1]!.resourceVersion
  }

  /** Changes after `resourceVersion`, or 'expired' when some have been compacted away. */
  eventsSince(resourceVersion: number): StoreEvent[] | 'expired' {
    if (resourceVersion < this.compactedRevision) return 'expired'
    let low = 0
    let high = this.history.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.history[mid]!.resourceVersion <= resourceVersion) low = mid + 1
      else high = mid
    }
    return this.history.slice(low)
  }

  get oldestResumableVersion(): number {
    return this.compactedRevision
  }

  /** Keeps only the last `events` changes; 0 forgets them all, so any older watch gets 410. */
  setWindow(events: number): void {
    this.window = events
    const excess = this.history.length - events
    if (excess > 0) this.compactedRevision = this.history.splice(0, excess)[excess - 1]!.resourceVersion
    if (events === 0) this.compactedRevision = this.revision
  }

  /** Drops the whole history, as an etcd compaction at the current revision. */
  compact(): void {
    this.history = []
    this.compactedRevision = this.revision
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
