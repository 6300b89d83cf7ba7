import type { Store, StoreChange, Tombstone } from '../../../db/store.ts'
import type { KubeObjectMeta } from '../object-meta.ts'

/** What a watch streams: any object of this API, by its metadata. */
export interface WatchedObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: KubeObjectMeta
}

/** An object as a change left it, keyed by its uid. */
export interface CurrentObject {
  readonly key: string
  readonly object: WatchedObject
  /** Its metadata.resourceVersion as a number. */
  readonly resourceVersion: number
}

/** An object a change concerns: `created` when the change made it. */
export interface TouchedObject {
  readonly key: string
  readonly experimentId: string
  readonly created: boolean
}

/** Narrows what `list` reads; objects outside it may still come back (the watch filters them). */
export interface ListScope {
  readonly namespace?: string
  /** metadata.name, when a field selector pins it. */
  readonly name?: string
  /** The experiment's name, when a label selector pins `katib.kubeflow.org/experiment`. */
  readonly experimentName?: string
}

/**
 * One watchable resource (experiments, trials, suggestions): which objects a change of the store
 * concerns, and how to build them now, as they were deleted, or all of them.
 */
export interface WatchResource {
  readonly plural: 'experiments' | 'trials' | 'suggestions'
  readonly apiVersion: string
  readonly kind: 'Experiment' | 'Trial' | 'Suggestion'
  /** The objects an event (never a tombstone) concerns. */
  touched(change: StoreChange): readonly TouchedObject[]
  /** The current objects of these keys, in no order; keys whose object is gone are left out. */
  load(store: Store, touched: readonly TouchedObject[]): Promise<CurrentObject[]>
  /** The objects that went with this experiment, as they were; their resourceVersion is the tombstone's id. */
  deleted(store: Store, tombstone: Tombstone): Promise<CurrentObject[]>
  /** Every object there is now (within `scope` where that is cheaper). */
  list(store: Store, scope: ListScope): Promise<CurrentObject[]>
}

export function currentObject(object: WatchedObject): CurrentObject {
  return { key: object.metadata.uid, object, resourceVersion: Number(object.metadata.resourceVersion) }
}

/** A deleted object carries its deletion's resourceVersion, as a server's DELETED event does. */
export function deletedObject<T extends WatchedObject>(object: T, tombstone: Tombstone): CurrentObject {
  const withVersion = { ...object, metadata: { ...object.metadata, resourceVersion: String(tombstone.id) } }
  return { key: object.metadata.uid, object: withVersion, resourceVersion: tombstone.id }
}
