import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseYaml } from 'yaml'
import { KubeError as ApiKubeError } from '../../../api/kube/kube-status.ts'
import { jsonPatch, mergePatch } from '../../../api/kube/patch.ts'
import { DISCOVERY_ONLY, route, verbOf, type Route } from './api-routes.ts'
import { parseFieldSelector } from './field-selector.ts'
import type { Faults, Verb } from './faults.ts'
import { intParam, parseJson, readBody, sendJson, sendTable } from './http-responses.ts'
import type { KubeObject } from './kube-object.ts'
import type { DeleteOptions, KubeApi, PropagationPolicy } from './kube-api.ts'
import { parseLabelSelector } from './label-selector.ts'
import { serveLog } from './pod-log-endpoint.ts'
import type { PodLogs } from './pod-logs.ts'
import { badRequest, forbidden, KubeError } from './status.ts'
import { toTable, wantsTable } from './table.ts'
import { serveWatch, type WatchBehaviour } from './watch-stream.ts'

/** One request as the fake saw it, for tests that count API calls. */
export interface RequestRecord {
  verb: Verb | 'discovery'
  method: string
  path: string
  /** `jobs`, `pods/log`, ... */
  resource?: string
  group?: string
  namespace?: string
  name?: string
  /** A create's object name, from its body (`name` is the URL's, which a create has not). */
  created?: string
  code: number
}

export interface ServerContext {
  api: KubeApi
  faults: Faults
  logs: PodLogs
  token: string
  watchBehaviour: () => Omit<WatchBehaviour, 'dropAfterEvents' | 'dropAbruptly'>
  record: (record: RequestRecord) => void
  /** How to end each open watch (the server closing them, as on a restart or a timeout). */
  openWatches: Set<() => void>
  serverVersion: { major: string; minor: string }
}







/** The request handler of the fake API server. */
export function handleRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://fake-kube')
  const record: RequestRecord = { verb: 'discovery', method: req.method ?? 'GET', path: url.pathname, code: 200 }
  res.on('finish', () => {
    record.code = res.statusCode
    ctx.record(record)
  })
  void (async () => {
    if (req.headers.authorization !== `Bearer ${ctx.token}`) throw new KubeError(401, 'Unauthorized', 'Unauthorized')
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    const routed = route(ctx.api.registry, parts, res, ctx.serverVersion)
    if (routed === DISCOVERY_ONLY) return
    const { type, namespace, name, subresource } = routed
    const params = url.searchParams
    const watch = params.get('watch') === 'true' || params.get('watch') === '1'
    const verb = verbOf(req.method ?? 'GET', routed, watch)
    const resource = subresource ? `${type.plural}/${subresource}` : type.plural
    Object.assign(record, { verb, resource, group: type.group, namespace, name })

    // A create names its object in the body: read it first, so a fault can match that name.
    const createBody = verb === 'create' ? parseJson(await readBody(req)) : undefined
    const faultName = name ?? createBody?.metadata?.name ?? createBody?.metadata?.generateName
    if (verb === 'create' && typeof createBody?.metadata?.name === 'string') record.created = createBody.metadata.name
    const fault = ctx.faults.takeRequestFault({ verb, resource, namespace, name: faultName })
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
    if (fault?.status !== undefined) {
      if (fault.status === 403 && !fault.message) throw forbidden(verb, type, namespace, 'system:serviceaccount:tunewell:tunewell')
      const message = fault.message ?? (fault.status === 409 ? `${type.plural}${type.group ? `.${type.group}` : ''} "${faultName ?? ''}" already exists` : `scripted ${fault.status}`)
      throw new KubeError(fault.status, fault.reason, message, { name: faultName, group: type.group, kind: type.plural })
    }

    const { api } = ctx
    const dryRun = params.getAll('dryRun').includes('All')
    switch (verb) {
      case 'get': {
        if (subresource === 'log') return serveLog(ctx, routed, params, res)
        const object = api.get(type, namespace, name!)
        if (wantsTable(req.headers.accept)) return sendTable(res, toTable(type, [object], object.metadata.resourceVersion!))
        return sendJson(res, 200, object)
      }
      case 'list': {
        const list = api.list(type, namespace, {
          labelSelector: params.get('labelSelector'),
          fieldSelector: params.get('fieldSelector'),
          limit: intParam(params.get('limit')),
          continue: params.get('continue'),
        })
        if (wantsTable(req.headers.accept)) return sendTable(res, toTable(type, list.items, list.metadata.resourceVersion!))
        return sendJson(res, 200, list)
      }
      case 'watch': {
        const labels = parseLabelSelector(params.get('labelSelector'))
        const fields = parseFieldSelector(params.get('fieldSelector'), type)
        const drop = ctx.faults.takeWatchDrop(type.plural, namespace)
        let stopWatch: (() => void) | undefined
        return serveWatch(
          api.store,
          {
            type,
            namespace,
            labels,
            fields,
            resourceVersion: params.get('resourceVersion') ?? undefined,
            allowBookmarks: params.get('allowWatchBookmarks') === 'true',
            timeoutSeconds: intParam(params.get('timeoutSeconds')),
          },
          { ...ctx.watchBehaviour(), dropAfterEvents: drop?.afterEvents, dropAbruptly: drop?.abrupt },
          res,
          {
            onStart: (stop) => ctx.openWatches.add((stopWatch = stop)),
            onEnd: () => stopWatch && ctx.openWatches.delete(stopWatch),
          },
        )
      }
      case 'create':
        return sendJson(res, 201, api.create(type, namespace, createBody!, { dryRun }))
      case 'update': {
        const body = parseJson(await readBody(req))
        return sendJson(res, 200, api.replace(type, namespace, name!, body, { subresource, dryRun }))
      }
      case 'patch': {
        const text = await readBody(req)
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim()
        if (contentType === 'application/apply-patch+yaml') return serverSideApply(ctx, routed, text, params, dryRun, res)
        let apply: (current: KubeObject) => KubeObject
        if (contentType === 'application/merge-patch+json') {
          const patch = parseJson(text)
          apply = (current) => mergePatch(current, patch) as KubeObject
        } else if (contentType === 'application/json-patch+json') {
          const patch = parseJson(text)
          apply = (current) => jsonPatch(current, patch) as KubeObject
        } else if (contentType === 'application/strategic-merge-patch+json') {
          // Custom resources have no strategic-merge metadata: the real server refuses it too.
          if (type.custom) throw new KubeError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`)
          const patch = parseJson(text)
          // Approximation: lists are replaced, not merged by key.
          apply = (current) => mergePatch(current, patch) as KubeObject
        } else {
          throw new KubeError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`)
        }
        return sendJson(res, 200, api.patch(type, namespace, name!, apply, { subresource, dryRun }))
      }
      case 'delete': {
        const text = await readBody(req)
        const body: Record<string, any> = text.trim() === '' ? {} : parseJson(text)
        const options: DeleteOptions = {
          propagationPolicy: (params.get('propagationPolicy') ?? body.propagationPolicy ?? undefined) as PropagationPolicy | undefined,
          gracePeriodSeconds: intParam(params.get('gracePeriodSeconds')) ?? body.gracePeriodSeconds,
          preconditions: body.preconditions,
        }
        if (body.orphanDependents === true && !options.propagationPolicy) options.propagationPolicy = 'Orphan'
        if (options.propagationPolicy && !['Foreground', 'Background', 'Orphan'].includes(options.propagationPolicy)) {
          throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${options.propagationPolicy}"`)
        }
        const result = api.delete(type, namespace, name!, options)
        const headers: Record<string, string> = result.warnings.length > 0 ? { warning: result.warnings.map((w) => `299 - "${w}"`).join(', ') } : {}
        return sendJson(res, 200, result.body, headers)
      }
      case 'deletecollection': {
        const list = api.list(type, namespace, { labelSelector: params.get('labelSelector'), fieldSelector: params.get('fieldSelector') })
        for (const item of list.items as KubeObject[]) {
          const policy = params.get('propagationPolicy') as PropagationPolicy | null
          api.delete(type, item.metadata.namespace, item.metadata.name!, { propagationPolicy: policy ?? undefined })
        }
        return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' })
      }
    }
  })().catch((error: unknown) => {
    if (res.headersSent) return void res.destroy()
    if (error instanceof KubeError) return sendJson(res, error.code, error.toStatus(), error.headers)
    // The patch functions are the product's (api/kube/patch.ts), which fail with its own Status.
    if (error instanceof ApiKubeError) return sendJson(res, error.code, error.status, error.headers)
    const internal = new KubeError(500, 'InternalError', `fake-kube: ${(error as Error)?.stack ?? String(error)}`)
    sendJson(res, 500, internal.toStatus())
  })
}

function serverSideApply(ctx: ServerContext, routed: Route, text: string, params: URLSearchParams, dryRun: boolean, res: ServerResponse): void {
  const { type, namespace, name, subresource } = routed
  if (!params.get('fieldManager')) throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')
  let body: KubeObject
  try {
    body = parseYaml(text) as KubeObject
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`)
  }
  // Approximation of server-side apply: create when absent, else a merge patch (no field ownership, no conflicts).
  if (!subresource && !ctx.api.store.get(type, namespace, name!)) {
    return sendJson(res, 201, ctx.api.create(type, namespace, { ...body, metadata: { ...body.metadata, name } }, { dryRun }))
  }
  sendJson(res, 200, ctx.api.patch(type, namespace, name!, (current) => mergePatch(current, body) as KubeObject, { subresource, dryRun }))
}
