import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FeedEvent, Store } from '../../../db/store.ts'
import type { AppOptions } from '../../app-options.ts'
import { eventTable, namespaceTable } from '../core/core-table.ts'
import { EVENT_FIELDS, eventField, eventIdOf, eventObject, type KubeEvent } from '../core/event-object.ts'
import { NAMESPACE_FIELDS, namespaceField, namespaceObjects } from '../core/namespace-object.ts'
import { decodeContinue, encodeContinue, listLimit } from '../list-chunk.ts'
import { KubeError, methodNotAllowed, notFound } from '../kube-status.ts'
import { namespaceOf } from '../object-meta.ts'
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from '../selectors.ts'
import { includeObjectOf, TABLE_CONTENT_TYPE, wantsTable } from '../table.ts'
import { isWatch } from '../watch/serve-watch.ts'

type Query = Readonly<Record<string, string | undefined>>

/** How many stored events one read of a scan takes. */
const SCAN_BATCH = 1000

/**
 * core/v1 as far as kubectl needs it here: the namespaces experiments use (`kubectl get ns`, and
 * kubectl's check that a namespace exists), and Events from our event store, each on the
 * Experiment or Trial it concerns, so `kubectl describe experiment x` lists what happened to it
 * and `kubectl get events` shows them all. Both are read-only: namespaces exist by being used,
 * and events are written by the experiments' own changes.
 *
 * Not served: watches of either resource.
 */
export async function kubeCoreRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { store } = options

  app.get('/api/v1/namespaces', async (request, reply) => {
    const query = request.query as Query
    refuseWatch(query, 'namespaces')
    const labels = parseLabelSelector(query.labelSelector)
    const fields = parseFieldSelector(query.fieldSelector, NAMESPACE_FIELDS)
    const resourceVersion = String(await store.events.latestId())
    const all = namespaceObjects(await store.experiments.list(), resourceVersion)
    const items = all.filter((ns) => matchesLabels(labels, ns.metadata.labels) && matchesFields(fields, (f) => namespaceField(ns, f)))
    const listMeta = { resourceVersion }
    if (wantsTable(request)) return sendTable(reply, namespaceTable(items, listMeta, includeObjectOf(query.includeObject)))
    return { kind: 'NamespaceList', apiVersion: 'v1', metadata: listMeta, items }
  })

  app.get('/api/v1/namespaces/:name', async (request, reply) => {
    const { name } = request.params as { name: string }
    const resourceVersion = String(await store.events.latestId())
    const namespace = namespaceObjects(await store.experiments.list(), resourceVersion).find((ns) => ns.metadata.name === name)
    if (!namespace) throw notFound('namespaces', name)
    if (wantsTable(request)) return sendTable(reply, namespaceTable([namespace], { resourceVersion }, includeObjectOf((request.query as Query).includeObject)))
    return namespace
  })

  const listEventsOf = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    const query = request.query as Query
    refuseWatch(query, 'events')
    const labels = parseLabelSelector(query.labelSelector)
    const fields = parseFieldSelector(query.fieldSelector, EVENT_FIELDS)
    const limit = listLimit(query.limit)
    const from = query.continue ? decodeContinue(query.continue) : { resourceVersion: await store.events.latestId(), after: 0 }
    const page = await listEvents(store, { namespace, labels, fields, limit, untilId: from.resourceVersion, afterId: from.after })
    const listMeta = {
      resourceVersion: String(from.resourceVersion),
      ...(page.next !== undefined ? { continue: encodeContinue({ resourceVersion: from.resourceVersion, after: page.next }) } : {}),
    }
    if (wantsTable(request)) return sendTable(reply, eventTable(page.items, listMeta, includeObjectOf(query.includeObject)))
    return { kind: 'EventList', apiVersion: 'v1', metadata: listMeta, items: page.items }
  }

  app.get('/api/v1/namespaces/:namespace/events', (request, reply) => listEventsOf(request, reply, (request.params as { namespace: string }).namespace))

  // `/api/v1/events` (events of all namespaces: `kubectl get events -A`) is also the REST API's
  // event stream, which a Kubernetes client would read as a response that never ends. The two
  // are told apart by what the client accepts: a Kubernetes client asks for JSON or protobuf,
  // an event-stream reader for text/event-stream (EventSource) or anything (curl).
  app.addConstraintStrategy(KUBE_CLIENT_STRATEGY)
  app.get('/api/v1/events', { constraints: { [KUBE_CLIENT_STRATEGY.name]: 'kube' } }, async (request, reply) => {
    try {
      return await listEventsOf(request, reply, undefined)
    } catch (error) {
      // Not a kube path for the error handler (the REST API owns the URL): the Status is sent here.
      if (!(error instanceof KubeError)) throw error
      return reply.code(error.code).type('application/json').send(error.status)
    }
  })

  app.get('/api/v1/namespaces/:namespace/events/:name', async (request, reply) => {
    const { namespace, name } = request.params as { namespace: string; name: string }
    const event = await findEvent(store, namespace, name)
    if (!event) throw notFound('events', name)
    if (wantsTable(request)) return sendTable(reply, eventTable([event], { resourceVersion: event.metadata.resourceVersion }, includeObjectOf((request.query as Query).includeObject)))
    return event
  })

  // Read-only resources: every write is the 405 a server gives a verb a resource lacks.
  const readOnly = (message: string) => async () => {
    throw methodNotAllowed(message)
  }
  const namespaceWrites = readOnly('namespaces here are the ones experiments are in: an experiment with metadata.namespace makes its namespace exist')
  const eventWrites = readOnly('events here are written by the experiments\' own changes: they cannot be created, changed or deleted')
  app.post('/api/v1/namespaces', namespaceWrites)
  app.post('/api/v1/namespaces/:namespace/events', eventWrites)
  app.delete('/api/v1/namespaces/:namespace/events', eventWrites)
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method, url: '/api/v1/namespaces/:name', handler: namespaceWrites })
    app.route({ method, url: '/api/v1/namespaces/:namespace/events/:name', handler: eventWrites })
  }
}

const KUBE_CLIENT_STRATEGY = {
  name: 'tunewellKubeClient',
  // A request derived as a kube client still reaches the REST route where no kube route is.
  mustMatchWhenDerived: false,
  storage() {
    const handlers = new Map<string, unknown>()
    return {
      get: (value: string) => (handlers.get(value) ?? null) as never,
      set: (value: string, handler: unknown) => void handlers.set(value, handler),
    }
  },
  deriveConstraint(request: { headers: Record<string, string | string[] | undefined> }): string {
    const accept = String(request.headers.accept ?? '')
    return !accept.includes('text/event-stream') && /application\/(json|vnd\.kubernetes\.protobuf)/.test(accept) ? 'kube' : ''
  },
}

function refuseWatch(query: Query, resource: string): void {
  if (isWatch(query)) throw methodNotAllowed(`watching ${resource} is not supported by this server; list them again instead`)
}

function sendTable(reply: FastifyReply, table: unknown): FastifyReply {
  return reply.header('content-type', TABLE_CONTENT_TYPE).send(table)
}

interface EventListing {
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
async function listEvents(store: Store, q: EventListing): Promise<{ items: KubeEvent[]; next?: number }> {
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

/** The event a name gives (its id is in the name); undefined unless that event is in this namespace under this name. */
async function findEvent(store: Store, namespace: string, name: string): Promise<KubeEvent | undefined> {
  const id = eventIdOf(name)
  if (id === undefined) return undefined
  const [stored] = await store.events.feed({ afterId: id - 1, untilId: id, limit: 1 })
  if (!stored) return undefined
  const experiment = await store.experiments.get(stored.experimentId)
  if (!experiment) return undefined
  const event = eventObject(stored, namespaceOf(experiment.spec))
  if (!event || event.metadata.namespace !== namespace || event.metadata.name !== name) return undefined
  return event
}
