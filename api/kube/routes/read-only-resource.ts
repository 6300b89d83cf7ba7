import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ExperimentRecord, Store } from '../../../db/store.ts'
import { methodNotAllowed, type KubeResourceName } from '../kube-status.ts'
import { EXPERIMENT_LABEL, namespaceOf } from '../object-meta.ts'
import { decodeContinue, listLimit, type ListPosition } from '../list-chunk.ts'
import { listResourceVersion } from '../list-resource-version.ts'
import { matchesLabels, parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from '../selectors.ts'
import { includeObjectOf, TABLE_CONTENT_TYPE, toTable, wantsTable, type TableObject } from '../table.ts'
import { serveWatch, watchParams } from '../watch/serve-watch.ts'

/**
 * What the read-only kubeflow.org resources (Trials, Suggestions) share: their paths, the 405
 * for every write, the watch parameters, and which experiments a selector can reach (both are
 * labelled with their experiment's labels plus `katib.kubeflow.org/experiment`, as Katib's).
 */

export type Query = Readonly<Record<string, string | undefined>>

export const GROUP_PATH = '/apis/kubeflow.org/v1beta1'

/** The fields a custom resource can be selected by, as the API server allows them. */
export const RESOURCE_FIELDS = ['metadata.name', 'metadata.namespace'] as const

/** `?watch=true` on a list path: the stream serveWatch answers, with the list's parameters. */
export function watchList(request: FastifyRequest, reply: FastifyReply, store: Store, resource: 'trials' | 'suggestions', namespace: string | undefined): Promise<FastifyReply> {
  return serveWatch(request, reply, { resource, store, namespace, ...watchParams(request.query as Query) })
}

/** A list request of a read-only resource, read as both read it: selectors, limit, and where its page starts. */
export interface ListRequest {
  readonly query: Query
  readonly labels: LabelSelector
  readonly fields: FieldSelector
  readonly limit: number
  /** The continue token's position, or a first page's: the list's resourceVersion (read before the items) and `after`. */
  readonly from: ListPosition
}

export async function readListRequest(request: FastifyRequest, store: Store, after: number): Promise<ListRequest> {
  const query = request.query as Query
  const labels = parseLabelSelector(query.labelSelector)
  const fields = parseFieldSelector(query.fieldSelector, RESOURCE_FIELDS)
  const limit = listLimit(query.limit)
  const from = query.continue ? decodeContinue(query.continue) : { resourceVersion: await listResourceVersion(store), after }
  return { query, labels, fields, limit, from }
}

/** A page of a read-only resource: a Table when kubectl asks for one, else `<Kind>List`; `next` is its continue token. */
export function listAnswer(request: FastifyRequest, reply: FastifyReply, list: ListRequest, kind: 'Trial' | 'Suggestion', items: readonly object[], next: string | undefined): unknown {
  const metadata = { resourceVersion: String(list.from.resourceVersion), ...(next ? { continue: next } : {}) }
  if (wantsTable(request)) return sendTable(reply, toTable(kind, tableObjects(items), metadata, includeObjectOf(list.query.includeObject)))
  return { apiVersion: 'kubeflow.org/v1beta1', kind: `${kind}List`, metadata, items }
}

/** Our objects as toTable reads them (its type wants an index signature that interfaces lack). */
export function tableObjects(objects: readonly object[]): TableObject[] {
  return objects as unknown as TableObject[]
}

export function sendTable(reply: FastifyReply, table: unknown): FastifyReply {
  return reply.header('content-type', TABLE_CONTENT_TYPE).send(table)
}

/**
 * Every write on the resource's paths (create, update, patch, delete, delete collection, and its
 * status) is 405 MethodNotAllowed: discovery lists get, list and watch only, and the objects are
 * the controller's record of an experiment, changed by changing the experiment.
 */
export function refuseWrites(app: FastifyInstance, plural: KubeResourceName, why: string): void {
  // Whatever the body, as a server answers a verb the resource lacks before reading it (the
  // Python client's delete sends Content-Type: application/json with no body at all). The
  // routes of this plugin only: Fastify scopes parsers to the plugin.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => {
    payload.resume()
    done(null, undefined)
  })
  const refuse = async () => {
    throw methodNotAllowed(`${plural} are read-only on this server: ${why}`)
  }
  const collection = `${GROUP_PATH}/namespaces/:namespace/${plural}`
  app.post(collection, refuse)
  app.delete(collection, refuse)
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method, url: `${collection}/:name`, handler: refuse })
    if (method !== 'DELETE') app.route({ method, url: `${collection}/:name/status`, handler: refuse })
  }
}

/**
 * The experiments whose Trials or Suggestion a list can hold, by name: those in `namespace`
 * (all when undefined) whose labels (with `katib.kubeflow.org/experiment`) match. A selector
 * that pins the experiment label reads that one experiment only.
 */
export async function experimentsInScope(store: Store, namespace: string | undefined, labels: LabelSelector): Promise<ExperimentRecord[]> {
  const pinned = labels.find((r) => r.key === EXPERIMENT_LABEL && (r.operator === '=' || r.operator === '==' || (r.operator === 'in' && r.values.length === 1)))
  let records: ExperimentRecord[]
  if (pinned) {
    const one = await store.experiments.getByName(pinned.values[0]!)
    records = one ? [one] : []
  } else {
    records = await store.experiments.list()
  }
  return records
    .filter((r) => (namespace === undefined || namespaceOf(r.spec) === namespace) && matchesLabels(labels, childLabels(r)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** The labels of an experiment's Trials and Suggestion. */
export function childLabels(record: ExperimentRecord): Record<string, string> {
  return { ...record.spec.metadata.labels, [EXPERIMENT_LABEL]: record.name }
}

/** The name a field selector pins with `metadata.name=`, if any. */
export function pinnedName(fields: FieldSelector): string | undefined {
  return fields.find((f) => f.field === 'metadata.name' && f.operator !== '!=')?.value
}
