import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../../../db/store.ts'
import type { AppOptions } from '../../app-options.ts'
import { notFound } from '../kube-status.ts'
import { encodeContinue, type ListPosition } from '../list-chunk.ts'
import { namespaceOf } from '../object-meta.ts'
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from '../selectors.ts'
import { includeObjectOf, toTable, wantsTable } from '../table.ts'
import { isWatch } from '../watch/serve-watch.ts'
import { trialObjects, type KatibTrial } from '../trial-object.ts'
import { childLabels, experimentsInScope, GROUP_PATH, listAnswer, pinnedName, readListRequest, refuseWrites, sendTable, tableObjects, watchList, type Query } from './read-only-resource.ts'

/** Trials read per query while a list walks an experiment. */
const PAGE = 500

/**
 * Trials (kubeflow.org/v1beta1), read-only: get (and its status), list in a namespace or all
 * of them (`kubectl get trials -l katib.kubeflow.org/experiment=NAME`, field selectors,
 * `limit`/`continue`), watch through serveWatch, Tables with Katib's columns. A list is ordered
 * by experiment name, then trial number; a label selector pinning the experiment reads only it.
 */
export async function kubeTrialRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { store } = options

  const list = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    if (isWatch(request.query as Query)) return watchList(request, reply, store, 'trials', namespace)
    const req = await readListRequest(request, store, -1)
    const { labels, fields, limit, from } = req
    const page = await listTrials(store, { namespace, labels, fields, limit, from })
    const next = page.next ? encodeContinue({ ...page.next, resourceVersion: from.resourceVersion }) : undefined
    return listAnswer(request, reply, req, 'Trial', page.items, next)
  }

  app.get(`${GROUP_PATH}/trials`, (request, reply) => list(request, reply, undefined))
  app.get(`${GROUP_PATH}/namespaces/:namespace/trials`, (request, reply) => list(request, reply, (request.params as { namespace: string }).namespace))

  const get = async (request: FastifyRequest, reply: FastifyReply) => {
    const { namespace, name } = request.params as { namespace: string; name: string }
    const trial = await trialNamed(store, name)
    if (!trial || trial.metadata.namespace !== namespace) throw notFound('trials', name)
    if (wantsTable(request)) return sendTable(reply, toTable('Trial', tableObjects([trial]), { resourceVersion: trial.metadata.resourceVersion }, includeObjectOf((request.query as Query).includeObject)))
    return trial
  }
  app.get(`${GROUP_PATH}/namespaces/:namespace/trials/:name`, get)
  // The status subresource answers the whole object, as a server does.
  app.get(`${GROUP_PATH}/namespaces/:namespace/trials/:name/status`, get)

  refuseWrites(app, 'trials', 'the controller creates and updates them as it runs the experiment; change the experiment instead (its budget with kubectl patch, a trial killed through the REST API)')
}

async function trialNamed(store: Store, name: string): Promise<KatibTrial | undefined> {
  const record = await store.trials.getByName(name)
  const experiment = record && (await store.experiments.get(record.experimentId))
  if (!record || !experiment) return undefined
  return (await trialObjects(store, experiment, [record]))[0]
}

interface TrialListing {
  readonly namespace: string | undefined
  readonly labels: LabelSelector
  readonly fields: FieldSelector
  readonly limit: number
  /** Where the previous chunk ended: `key` its last trial's experiment name, `after` that trial's number (-1: from the start). */
  readonly from: ListPosition
}

async function listTrials(store: Store, q: TrialListing): Promise<{ items: KatibTrial[]; next?: { key: string; after: number } }> {
  const matches = (trial: KatibTrial) =>
    matchesLabels(q.labels, trial.metadata.labels) &&
    matchesFields(q.fields, { 'metadata.name': trial.metadata.name, 'metadata.namespace': trial.metadata.namespace })
  const name = pinnedName(q.fields)
  if (name !== undefined) {
    // One trial at most: a chunk of it is all of it.
    const trial = await trialNamed(store, name)
    return { items: trial && (q.namespace === undefined || trial.metadata.namespace === q.namespace) && matches(trial) ? [trial] : [] }
  }
  const experiments = (await experimentsInScope(store, q.namespace, q.labels)).filter((x) =>
    matchesFields(q.fields, (f) => (f === 'metadata.namespace' ? namespaceOf(x.spec) : undefined)))
  const items: KatibTrial[] = []
  for (const experiment of experiments) {
    if (q.from.key !== undefined && experiment.name < q.from.key) continue
    let after = q.from.key === experiment.name ? q.from.after : -1
    // All trials of an experiment carry the same labels: the experiment decides the label match.
    if (!matchesLabels(q.labels, childLabels(experiment))) continue
    for (;;) {
      const remaining = q.limit - items.length
      const page = await store.trials.page(experiment.id, { sort: 'number', order: 'asc', limit: Math.min(PAGE, remaining), after: { key: after, number: after } })
      items.push(...(await trialObjects(store, experiment, page.items)).filter(matches))
      const last = page.items.at(-1)
      if (last) after = last.number
      if (items.length >= q.limit) {
        // More follow if this experiment has more, or a later one has any trial.
        const more = page.next !== undefined || experiments.some((x) => x.name > experiment.name)
        return { items, ...(more ? { next: { key: experiment.name, after } } : {}) }
      }
      if (!page.next) break
    }
  }
  return { items }
}

