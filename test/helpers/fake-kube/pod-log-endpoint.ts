import type { ServerResponse } from 'node:http'
import type { Route } from './api-routes.ts'
import { intParam } from './http-responses.ts'
import type { ServerContext } from './http-server.ts'
import { badRequest, notFound } from './status.ts'

/**
 * GET pods/{name}/log: the container must be named when there are several, must have started
 * (a waiting container answers 400 with its reason, as the kubelet does), and `previous=true`
 * reads the instance before the last restart.
 */
export function serveLog(ctx: ServerContext, routed: Route, params: URLSearchParams, res: ServerResponse): void {
  const pod = ctx.api.store.get(routed.type, routed.namespace, routed.name!)
  if (!pod) throw notFound(routed.type, routed.name!)
  const podName = pod.metadata.name!
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name)
  const initContainers: string[] = (pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name)
  let container = params.get('container') ?? undefined
  if (container === undefined || container === '') {
    if (containers.length !== 1) {
      throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`)
    }
    container = containers[0]!
  }
  if (!containers.includes(container) && !initContainers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${podName}`)
  }
  const statuses: { name: string; state?: { waiting?: { reason?: string } } }[] = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
  ]
  const status = statuses.find((s) => s.name === container)
  if (!status || status.state?.waiting) {
    const reason = status?.state?.waiting?.reason ?? 'ContainerCreating'
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`)
  }
  const previous = params.get('previous') === 'true'
  if (previous && !ctx.logs.hasPrevious(pod.metadata.uid!, container)) {
    throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`)
  }
  const follow = params.get('follow') === 'true'
  const drop = follow ? ctx.faults.takeLogDrop(routed.namespace, podName, container) : undefined
  ctx.logs.serve(res, pod.metadata.uid!, container, {
    previous,
    dropAfterLines: drop?.afterLines,
    dropAbruptly: drop?.abrupt,
    follow,
    timestamps: params.get('timestamps') === 'true',
    sinceTime: params.get('sinceTime') ?? undefined,
    sinceSeconds: intParam(params.get('sinceSeconds')),
    tailLines: intParam(params.get('tailLines')),
    limitBytes: intParam(params.get('limitBytes')),
  })
}
