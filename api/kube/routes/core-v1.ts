import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../../../db/store.ts'
import type { AppOptions } from '../../app-options.ts'
import { eventTable, namespaceTable } from '../core/core-table.ts'
import { EVENT_FIELDS, eventIdOf, eventObject, type KubeEvent } from '../core/event-object.ts'
import { NAMESPACE_FIELDS, namespaceField, namespaceObjects } from '../core/namespace-object.ts'
import { serveEventWatch } from '../core/event-watch.ts'
import { listEvents } from '../core/list-events.ts'
import { decodeContinue, encodeContinue, listLimit } from '../list-chunk.ts'
import { KubeError, methodNotAllowed, notFound } from '../kube-status.ts'
import { namespaceOf } from '../object-meta.ts'
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../selectors.ts'
import { includeObjectOf, TABLE_CONTENT_TYPE, wantsTable } from '../table.ts'
import { isWatch, watchParams } from '../watch/serve-watch.ts'
import { listResourceVersion } from '../list-resource-version.ts'

type Query = Readonly<Record<string, string | undefined>>

/**
 * core/v1 as far as kubectl needs it here: the namespaces experiments use (`kubectl get ns`, and
 * kubectl's check that a namespace exists), and Events from our event store, each on the
 * Experiment or Trial it concerns, so `kubectl describe experiment x` lists what happened to it
 * and `kubectl get events` shows them all. Both are read-only: namespaces exist by being used,
 * and events are written by the experiments' own changes.
 *
 * Namespaces cannot be watched here; events can (one shared poller of the events table).
 */
export async function kubeCoreRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { store } = options

  app.get('/api/v1/namespaces', async (request, reply) => {
    const query = request.query as Query
    refuseWatch(query, 'namespaces')
    const labels = parseLabelSelector(query.labelSelector)
    const fields = parseFieldSelector(query.fieldSelector, NAMESPACE_FIELDS)
    const resourceVersion = String(await listResourceVersion(store))
    const all = namespaceObjects(await store.experiments.list(), resourceVersion)
    const items = all.filter((ns) => matchesLabels(labels, ns.metadata.labels) && matchesFields(fields, (f) => namespaceField(ns, f)))
    const listMeta = { resourceVersion }
    if (wantsTable(request)) return sendTable(reply, namespaceTable(items, listMeta, includeObjectOf(query.includeObject)))
    return { kind: 'NamespaceList', apiVersion: 'v1', metadata: listMeta, items }
  })

  app.get('/api/v1/namespaces/:name', async (request, reply) => {
    const { name } = request.params as { name: string }
    const resourceVersion = String(await listResourceVersion(store))
    const namespace = namespaceObjects(await store.experiments.list(), resourceVersion).find((ns) => ns.metadata.name === name)
    if (!namespace) throw notFound('namespaces', name)
    if (wantsTable(request)) return sendTable(reply, namespaceTable([namespace], { resourceVersion }, includeObjectOf((request.query as Query).includeObject)))
    return namespace
  })

  const listEventsOf = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    const query = request.query as Query
    const labels = parseLabelSelector(query.labelSelector)
    const fields = parseFieldSelector(query.fieldSelector, EVENT_FIELDS)
    if (isWatch(query)) {
      const { resourceVersion, timeoutSeconds, allowWatchBookmarks, sendInitialEvents } = watchParams(query)
      return serveEventWatch(request, reply, store, { namespace, labels, fields, resourceVersion, timeoutSeconds, allowWatchBookmarks, sendInitialEvents })
    }
    const limit = listLimit(query.limit)
    const from = query.continue ? decodeContinue(query.continue) : { resourceVersion: await listResourceVersion(store), after: 0 }
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
