import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppOptions } from '../../app-options.ts'
import { notFound } from '../kube-status.ts'
import { decodeContinue, encodeContinue, listLimit } from '../list-chunk.ts'
import { namespaceOf } from '../object-meta.ts'
import { matchesFields, parseFieldSelector, parseLabelSelector } from '../selectors.ts'
import { suggestionObject, suggestionObjects } from '../suggestion-object.ts'
import { includeObjectOf, toTable, wantsTable } from '../table.ts'
import { isWatch } from '../watch/serve-watch.ts'
import { experimentsInScope, GROUP_PATH, pinnedName, refuseWrites, RESOURCE_FIELDS, sendTable, tableObjects, watchList, type Query } from './read-only-resource.ts'
import { listResourceVersion } from '../list-resource-version.ts'

/**
 * Suggestions (kubeflow.org/v1beta1), read-only: one per experiment, named after it, as Katib's
 * (what the suggestion service handed out: every trial's assignments). Get (and its status),
 * list in a namespace or all (label and field selectors, `limit`/`continue` by name), watch
 * through serveWatch, Tables with Katib's columns (REQUESTED, ASSIGNED).
 */
export async function kubeSuggestionRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { store } = options

  const list = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    const query = request.query as Query
    if (isWatch(query)) return watchList(request, reply, store, 'suggestions', namespace)
    const labels = parseLabelSelector(query.labelSelector)
    const fields = parseFieldSelector(query.fieldSelector, RESOURCE_FIELDS)
    const limit = listLimit(query.limit)
    const from = query.continue ? decodeContinue(query.continue) : { resourceVersion: await listResourceVersion(store), after: 0 }
    const name = pinnedName(fields)
    const inScope = (await experimentsInScope(store, namespace, labels)).filter((x) =>
      (name === undefined || x.name === name) &&
      (from.key === undefined || x.name > from.key) &&
      matchesFields(fields, { 'metadata.name': x.name, 'metadata.namespace': namespaceOf(x.spec) }))
    const chunk = inScope.slice(0, limit)
    const items = await suggestionObjects(store, chunk)
    const listMeta = {
      resourceVersion: String(from.resourceVersion),
      ...(inScope.length > chunk.length ? { continue: encodeContinue({ resourceVersion: from.resourceVersion, after: 0, key: chunk.at(-1)!.name }) } : {}),
    }
    if (wantsTable(request)) return sendTable(reply, toTable('Suggestion', tableObjects(items), listMeta, includeObjectOf(query.includeObject)))
    return { apiVersion: 'kubeflow.org/v1beta1', kind: 'SuggestionList', metadata: listMeta, items }
  }

  app.get(`${GROUP_PATH}/suggestions`, (request, reply) => list(request, reply, undefined))
  app.get(`${GROUP_PATH}/namespaces/:namespace/suggestions`, (request, reply) => list(request, reply, (request.params as { namespace: string }).namespace))

  const get = async (request: FastifyRequest, reply: FastifyReply) => {
    const { namespace, name } = request.params as { namespace: string; name: string }
    const record = await store.experiments.getByName(name)
    if (!record || namespaceOf(record.spec) !== namespace) throw notFound('suggestions', name)
    const suggestion = await suggestionObject(store, record)
    if (wantsTable(request)) return sendTable(reply, toTable('Suggestion', tableObjects([suggestion]), { resourceVersion: suggestion.metadata.resourceVersion }, includeObjectOf((request.query as Query).includeObject)))
    return suggestion
  }
  app.get(`${GROUP_PATH}/namespaces/:namespace/suggestions/:name`, get)
  // The status subresource answers the whole object, as a server does.
  app.get(`${GROUP_PATH}/namespaces/:namespace/suggestions/:name/status`, get)

  refuseWrites(app, 'suggestions', 'each experiment has one, kept by the controller as it hands out trials; change the experiment instead')
}
