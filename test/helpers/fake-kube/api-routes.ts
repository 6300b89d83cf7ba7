import type { ServerResponse } from 'node:http'
import type { Verb } from './faults.ts'
import { sendJson } from './http-responses.ts'
import type { ResourceRegistry, ResourceType } from './resource-types.ts'
import { KubeError } from './status.ts'

/** Which resource a URL names (or a discovery document it answers at once), and the verb. */
export interface Route {
  type: ResourceType
  namespace?: string
  name?: string
  subresource?: string
}

export const DISCOVERY_ONLY = Symbol('discovery')

/** Answers discovery paths; returns DISCOVERY_ONLY when it did, else the resource route. */
export function route(registry: ResourceRegistry, parts: string[], res: ServerResponse, version: { major: string; minor: string }): Route | typeof DISCOVERY_ONLY {
  const json = (body: unknown): typeof DISCOVERY_ONLY => {
    if (body === undefined) throw new KubeError(404, 'NotFound', 'the server could not find the requested resource')
    sendJson(res, 200, body)
    return DISCOVERY_ONLY
  }
  if (parts.length === 1 && parts[0] === 'version') return json({ ...version, gitVersion: `v${version.major}.${version.minor}.0-fake`, platform: 'linux/amd64' })
  if (parts.length === 1 && ['healthz', 'readyz', 'livez'].includes(parts[0]!)) {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok')
    return DISCOVERY_ONLY as typeof DISCOVERY_ONLY
  }
  if (parts[0] === 'api') {
    if (parts.length === 1) return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] })
    if (parts.length === 2) return json(registry.resourceList('', parts[1]!))
    return resourceRoute(registry, '', parts[1]!, parts.slice(2))
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return json(registry.apiGroupList())
    if (parts.length === 2) return json(registry.apiGroup(parts[1]!))
    if (parts.length === 3) return json(registry.resourceList(parts[1]!, parts[2]!))
    return resourceRoute(registry, parts[1]!, parts[2]!, parts.slice(3))
  }
  throw new KubeError(404, 'NotFound', 'the server could not find the requested resource')
}

function resourceRoute(registry: ResourceRegistry, group: string, version: string, rest: string[]): Route {
  const nsType = rest[0] === 'namespaces' && rest.length >= 3 ? registry.byPath(group, version, rest[2]!) : undefined
  const [namespace, plural, name, subresource] = nsType?.namespaced ? [rest[1], rest[2], rest[3], rest[4]] : [undefined, rest[0], rest[1], rest[2]]
  const type = registry.byPath(group, version, plural!)
  if (!type) throw new KubeError(404, 'NotFound', 'the server could not find the requested resource')
  if (!type.namespaced && namespace !== undefined) throw new KubeError(404, 'NotFound', 'the server could not find the requested resource')
  if (subresource !== undefined) {
    const allowed = [...(type.statusSubresource ? ['status'] : []), ...(type.subresources ?? [])]
    if (!allowed.includes(subresource)) throw new KubeError(404, 'NotFound', 'the server could not find the requested resource')
  }
  return { type, namespace, name, subresource }
}

export function verbOf(method: string, route: Route, watch: boolean): Verb {
  switch (method) {
    case 'GET':
      return route.name ? 'get' : watch ? 'watch' : 'list'
    case 'POST':
      return 'create'
    case 'PUT':
      return 'update'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection'
    default:
      throw new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
  }
}

