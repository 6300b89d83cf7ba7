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

  /** Every stored object of every resource, for owner-reference lookups. */
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
    if (type === 'DELETED') byKey.delete(key)
    else byKey.set(key, object)
    const event: StoreEvent = { type, resourceVersion: this.revision, resource, object: clone(object), previous }
    this.history.push(event)
    while (this.history.length > this.window) this.compactedRevision = this.history.shift()!.resourceVersion
    for (const listener of this.listeners) listener(event)
    return object
  }

  add(type: ResourceType, object: KubeObject): KubeObject {
    return this.commit('ADDED', type, object)
  }

  update(type: ResourceType, object: KubeObject): KubeObject {
    const previous = this.get(type, object.metadata.namespace, object.metadata.name!)
    return this.commit('MODIFIED', type, object, previous ? clone(previous) : undefined)
  }

  remove(type: ResourceType, object: KubeObject): KubeObject {
    return this.commit('DELETED', type, clone(object))
  }

  /** Changes after `resourceVersion`, or 'expired' when some have been compacted away. */
  eventsSince(resourceVersion: number): StoreEvent[] | 'expired' {
    if (resourceVersion < this.compactedRevision) return 'expired'
    return this.history.filter((event) => event.resourceVersion > resourceVersion)
  }

  get oldestResumableVersion(): number {
    return this.compactedRevision
  }

  /** Keeps only the last `events` changes; 0 forgets them all, so any older watch gets 410. */
  setWindow(events: number): void {
    this.window = events
    while (this.history.length > this.window) this.compactedRevision = this.history.shift()!.resourceVersion
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
