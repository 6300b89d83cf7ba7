import type { ExperimentRecord, TrialRecord } from './store.ts'

/**
 * One entry of the change stream a Kubernetes watch reads: an event of the events table, or an
 * experiment's deletion (its tombstone). Both take their ids from one sequence, so the stream is
 * in one order. `type` is the event's type, or `experiment:deleted` for a tombstone.
 */
export interface StoreChange {
  readonly id: number
  readonly experimentId: string
  readonly trialId: string | null
  readonly type: string
}

/** A deleted experiment as it was when it was deleted, with its trials (migrations/0003-kube-tombstones.ts). */
export interface Tombstone {
  /** From the events' sequence: the DELETED objects' resourceVersion. */
  readonly id: number
  readonly experiment: ExperimentRecord
  /** By number; their executor handle is not kept (null here). */
  readonly trials: readonly TrialRecord[]
  /** Its `experiment:updated` events when it was deleted (its generation is 1 + this). */
  readonly specChanges: number
  readonly deletedAt: Date
}

export interface ChangeQuery {
  /** Only ids above this one. */
  readonly afterId: number
  /** Only ids up to this one, inclusive. */
  readonly untilId?: number
  readonly limit: number
}

/**
 * Deleted experiments, written by a trigger in the delete's transaction, kept for the watch
 * window (api/kube/watch/). Read together with the events table: what a watch replays.
 */
export interface TombstoneStore {
  /** Events and tombstones with ids in the range, ascending, at most `limit`. */
  changes(query: ChangeQuery): Promise<StoreChange[]>
  /** The tombstones of these ids (those still kept), ascending. */
  get(ids: readonly number[]): Promise<Tombstone[]>
  /** The highest id of an event or a tombstone (pruned ones included); 0 when there is none. */
  latestId(): Promise<number>
  /** The highest id pruned so far (0 when none was): a watch must start at or after it. */
  horizon(): Promise<number>
  /** Drops tombstones older than `olderThanMs` (by the database's clock); resolves the horizon after it. */
  prune(olderThanMs: number): Promise<number>
}
