import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parse as parseYaml } from 'yaml'
import type { AppOptions } from '../../app-options.ts'
import { YAML_TYPES } from '../../plugins/content-types.ts'
import { parseDryRun } from '../dry-run.ts'
import { createKubeExperiment, type KubeWriteResult } from '../experiment-create.ts'
import { deleteKubeExperiment } from '../experiment-delete.ts'
import { isObject } from '../experiment-document.ts'
import { listKubeExperiments } from '../experiment-list.ts'
import { experimentObject, type KatibExperiment } from '../experiment-object.ts'
import { updateKubeExperiment } from '../experiment-update.ts'
import { parseFieldValidation } from '../field-validation.ts'
import { findKubeExperiment } from '../find-kube-experiment.ts'
import { badRequest, forbidden, kubeStatus, KubeError, methodNotAllowed } from '../kube-status.ts'
import { APPLY_PATCH, applyPatch, JSON_PATCH, mergePatch, STRATEGIC_MERGE_PATCH } from '../patch.ts'
import { includeObjectOf, TABLE_CONTENT_TYPE, toTable, wantsTable, type TableObject } from '../table.ts'
import { isWatch, serveWatch, watchParams } from '../watch/serve-watch.ts'
import { warningHeaders } from '../warnings.ts'

type Query = Readonly<Record<string, string | undefined>>
type NamespaceParams = { namespace: string }
type ObjectParams = { namespace: string; name: string }

const GROUP_VERSION = '/apis/kubeflow.org/v1beta1'
const COLLECTION = `${GROUP_VERSION}/namespaces/:namespace/experiments`
const OBJECT = `${COLLECTION}/:name`

/**
 * Experiments as a Kubernetes API server serves a custom resource (kubeflow.org/v1beta1):
 * list (one namespace or all, selectors, limit/continue, `watch=true` through serveWatch), create
 * (generateName too), get, update (PUT), patch (merge, JSON, and server-side apply as a merge of
 * the applied fields), delete, and the status subresource (read here; the controller writes it).
 * Every write takes `dryRun=All` and `fieldValidation`, and answers `Table` when kubectl asks.
 * The work is in api/kube/experiment-*.ts; this file is the HTTP shape of it.
 */
export async function kubeExperimentRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { store, control } = options
  registerPatchParsers(app)

  const list = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    const query = request.query as Query
    if (isWatch(query)) return serveWatch(request, reply, { resource: 'experiments', store, namespace, ...watchParams(query) })
    const answer = await listKubeExperiments(store, { ...query, namespace })
    if (wantsTable(request)) {
      return reply.type(TABLE_CONTENT_TYPE).send(toTable('Experiment', tableObjects(answer.items), answer.metadata, includeObjectOf(query.includeObject)))
    }
    return answer
  }
  app.get(`${GROUP_VERSION}/experiments`, (request, reply) => list(request, reply, undefined))
  app.get(COLLECTION, (request, reply) => list(request, reply, (request.params as NamespaceParams).namespace))

  app.post(COLLECTION, async (request, reply) => {
    const { namespace } = request.params as NamespaceParams
    const query = request.query as Query
    const result = await createKubeExperiment(store, namespace, bodyOf(request), writeOptions(query, options))
    return sendWritten(reply.code(201), result, control)
  })

  app.delete(COLLECTION, async () => {
    throw methodNotAllowed('deletecollection of experiments is not supported; delete them by name (kubectl delete experiment NAME)')
  })
  // Methods a path does not take are 405, as a server answers them (fastify's own answer would be 404).
  const notAllowed = async () => {
    throw methodNotAllowed()
  }
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: `${GROUP_VERSION}/experiments`, handler: notAllowed })
  app.route({ method: ['PUT', 'PATCH'], url: COLLECTION, handler: notAllowed })
  app.route({ method: ['POST'], url: OBJECT, handler: notAllowed })
  app.route({ method: ['POST', 'DELETE'], url: `${OBJECT}/status`, handler: notAllowed })

  const get = async (request: FastifyRequest, reply: FastifyReply) => {
    const { namespace, name } = request.params as ObjectParams
    const object = await experimentObject(store, await findKubeExperiment(store, namespace, name))
    if (wantsTable(request)) {
      return reply.type(TABLE_CONTENT_TYPE).send(toTable('Experiment', tableObjects([object]), {}, includeObjectOf((request.query as Query).includeObject)))
    }
    return object
  }
  app.get(OBJECT, get)
  app.get(`${OBJECT}/status`, get)

  app.put(OBJECT, async (request, reply) => {
    const { namespace, name } = request.params as ObjectParams
    const body = bodyOf(request)
    const result = await updateKubeExperiment(store, namespace, name, () => body, { ...writeOptions(request.query as Query, options), requireResourceVersion: true })
    return sendWritten(reply, result, control)
  })

  app.patch(OBJECT, async (request, reply) => {
    const { namespace, name } = request.params as ObjectParams
    const query = request.query as Query
    const body = request.body
    const write = { ...writeOptions(query, options), requireResourceVersion: false }
    if (request.mediaType !== APPLY_PATCH) {
      return sendWritten(reply, await updateKubeExperiment(store, namespace, name, (current) => applyPatch(request.mediaType, current, body), write), control)
    }
    if (!query.fieldManager) {
      throw new KubeError(kubeStatus(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      }))
    }
    if (!isObject(body)) throw badRequest('error decoding YAML: the applied configuration is not an object')
    try {
      const result = await updateKubeExperiment(store, namespace, name, (current) => mergePatch(current, body), write)
      return sendWritten(reply, { ...result, warnings: [...result.warnings, APPLY_APPROXIMATION] }, control)
    } catch (error) {
      if (!(error instanceof KubeError && error.code === 404)) throw error
    }
    // Apply creates what does not exist yet, under the URL's name.
    const metadata = isObject(body.metadata) ? body.metadata : {}
    if (metadata.name !== undefined && metadata.name !== name) {
      throw badRequest(`the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`)
    }
    const result = await createKubeExperiment(store, namespace, { ...body, metadata: { ...metadata, name } }, write)
    return sendWritten(reply.code(201), result, control)
  })

  const statusWrite = async (request: FastifyRequest) => {
    const { name } = request.params as ObjectParams
    throw forbidden(`experiments.kubeflow.org "${name}" is forbidden: the status of an experiment is written by Tunewell's controller only; change its spec instead`, 'experiments', name)
  }
  app.put(`${OBJECT}/status`, statusWrite)
  app.patch(`${OBJECT}/status`, statusWrite)

  app.delete(OBJECT, async (request) => {
    const { namespace, name } = request.params as ObjectParams
    const body = request.body
    const bodyDryRun = isObject(body) ? body.dryRun : undefined
    const dryRun = parseDryRun((request.query as Query).dryRun) || parseDryRun(bodyDryRun)
    return deleteKubeExperiment(store, namespace, name, body, dryRun, control)
  })
}

/** Ours approximates apply: said on every apply, so nobody relies on field ownership that is not there. */
const APPLY_APPROXIMATION = 'server-side apply here merges the applied fields into the experiment without field ownership: ' +
  'a field left out of the applied configuration is kept, not removed, and no conflicts are reported'

function writeOptions(query: Query, options: AppOptions) {
  return { dryRun: parseDryRun(query.dryRun), fieldValidation: parseFieldValidation(query.fieldValidation), admit: options.admit }
}

function sendWritten(reply: FastifyReply, result: KubeWriteResult, control: AppOptions['control']): FastifyReply {
  if (result.wake) control?.wake(result.wake)
  if (result.warnings.length > 0) reply.header('warning', warningHeaders(result.warnings))
  return reply.send(result.object)
}

/** A create or update body: JSON as parsed, YAML (which curl users may send) parsed here. */
function bodyOf(request: FastifyRequest): unknown {
  const type = request.mediaType
  if (type !== undefined && (YAML_TYPES as readonly string[]).includes(type) && typeof request.body === 'string') return parseYamlBody(request.body)
  if (request.body === undefined) throw badRequest('the request has no body; send the Experiment as JSON')
  return request.body
}

function parseYamlBody(text: string): unknown {
  try {
    return parseYaml(text)
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`)
  }
}

/** The patch media types the application's parsers do not read (merge patch they do), kept inside this plugin. */
function registerPatchParsers(app: FastifyInstance): void {
  const json = (_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => {
    try {
      done(null, JSON.parse(String(body)))
    } catch (error) {
      done(badRequest(`error decoding patch: ${(error as Error).message}`))
    }
  }
  app.addContentTypeParser([JSON_PATCH, STRATEGIC_MERGE_PATCH], { parseAs: 'string' }, json)
  app.addContentTypeParser(APPLY_PATCH, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYaml(String(body)))
    } catch (error) {
      done(badRequest(`error decoding YAML: ${(error as Error).message}`))
    }
  })
}

function tableObjects(objects: readonly KatibExperiment[]): TableObject[] {
  return objects as unknown as TableObject[]
}

