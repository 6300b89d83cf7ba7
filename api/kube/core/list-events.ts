import type { FeedEvent, Store } from '../../../db/store.ts'
import { namespaceOf } from '../object-meta.ts'
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from '../selectors.ts'
import { eventField, eventObject, type KubeEvent } from './event-object.ts'

/** How many stored events one read of a scan takes. */
const SCAN_BATCH = 1000

export interface EventListing {
  /** Undefined: all namespaces. */
  readonly namespace: string | undefined
  readonly labels: LabelSelector
  readonly fields: FieldSelector
  readonly limit: number
  /** The list's resourceVersion: later events are left to the next list. */
  readonly untilId: number
  /** Only events after this id (a continue token's position). */
  readonly afterId: number
}

/**
 * One chunk of the namespace's events in id order, and where the next starts when more match.
 * A selector naming the involved object (what `kubectl describe` sends) reads that
 * experiment's events only; anything else scans the event table in batches.
 */
export async function listEvents(store: Store, q: EventListing): Promise<{ items: KubeEvent[]; next?: number }> {
  // Events carry no labels: a selector that needs one matches nothing, one that excludes one matches all.
  if (!matchesLabels(q.labels, undefined)) return { items: [] }
  const target = await involvedExperiment(store, q.fields)
  if (target === null) return { items: [] }
  let namespaces: Map<string, string>
  if (target) {
    if (q.namespace !== undefined && namespaceOf(target.spec) !== q.namespace) return { items: [] }
    namespaces = new Map([[target.id, namespaceOf(target.spec)]])
  } else {
    namespaces = new Map((await store.experiments.list()).map((x) => [x.id, namespaceOf(x.spec)]))
  }
  const items: KubeEvent[] = []
  let after = q.afterId
  for (;;) {
    const batch: FeedEvent[] = await store.events.feed({ afterId: after, untilId: q.untilId, limit: SCAN_BATCH, ...(target ? { experimentId: target.id } : {}) })
    for (const stored of batch) {
      after = stored.id
      const namespace = namespaces.get(stored.experimentId)
      // An experiment created after the namespace map was read: its events are past this list's version anyway.
      if (namespace === undefined || (q.namespace !== undefined && namespace !== q.namespace)) continue
      const event = eventObject(stored, namespace)
      if (!event || !matchesFields(q.fields, (f) => eventField(event, f))) continue
      if (items.length === q.limit) return { items, next: Number(items.at(-1)!.metadata.resourceVersion) }
      items.push(event)
    }
    if (batch.length < SCAN_BATCH) return { items }
  }
}

/**
 * The experiment whose events can match when the selector names an involved object by name
 * (the object itself or, for a Trial, its experiment); null when no object has that name;
 * undefined when the selector names none (every experiment's events can match).
 */
async function involvedExperiment(store: Store, fields: FieldSelector): Promise<{ id: string; spec: Parameters<typeof namespaceOf>[0] } | null | undefined> {
  const name = fields.find((f) => f.field === 'involvedObject.name' && f.operator !== '!=')?.value
  if (name === undefined) return undefined
  const kind = fields.find((f) => f.field === 'involvedObject.kind' && f.operator !== '!=')?.value
  if (kind !== 'Trial') {
    const experiment = await store.experiments.getByName(name)
    if (experiment) return experiment
  }
  if (kind !== 'Experiment') {
    const trial = await store.trials.getByName(name)
    if (trial) return (await store.experiments.get(trial.experimentId)) ?? null
  }
  return null
}
