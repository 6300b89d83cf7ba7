import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppOptions } from '../../app-options.ts'
import { notFound } from '../kube-status.ts'
import { encodeContinue } from '../list-chunk.ts'
import { namespaceOf } from '../object-meta.ts'
import { matchesFields } from '../selectors.ts'
import { suggestionObject, suggestionObjects } from '../suggestion-object.ts'
import { includeObjectOf, toTable, wantsTable } from '../table.ts'
import { isWatch } from '../watch/serve-watch.ts'
import { experimentsInScope, GROUP_PATH, listAnswer, pinnedName, readListRequest, refuseWrites, sendTable, tableObjects, watchList, type Query } from './read-only-resource.ts'

/**
 * Suggestions (kubeflow.org/v1beta1), read-only: one per experiment, named after it, as Katib's
 * (what the suggestion service handed out: every trial's assignments). Get (and its status),
 * list in a namespace or all (label and field selectors, `limit`/`continue` by name), watch
 * through serveWatch, Tables with Katib's columns (REQUESTED, ASSIGNED).
 */
export async function kubeSuggestionRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { store } = options

  const list = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    if (isWatch(request.query as Query)) return watchList(request, reply, store, 'suggestions', namespace)
    const req = await readListRequest(request, store, 0)
    const { fields, from, limit } = req
    const name = pinnedName(fields)
    const inScope = (await experimentsInScope(store, namespace, req.labels)).filter((x) =>
      (name === undefined || x.name === name) &&
      (from.key === undefined || x.name > from.key) &&
      matchesFields(fields, { 'metadata.name': x.name, 'metadata.namespace': namespaceOf(x.spec) }))
    const chunk = inScope.slice(0, limit)
    const next = inScope.length > chunk.length ? encodeContinue({ resourceVersion: from.resourceVersion, after: 0, key: chunk.at(-1)!.name }) : undefined
    return listAnswer(request, reply, req, 'Suggestion', await suggestionObjects(store, chunk), next)
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
