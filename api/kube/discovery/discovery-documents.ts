import { CORE_RESOURCES, groupVersionOf, KATIB_GROUP, KATIB_GROUP_VERSION, KATIB_RESOURCES, KATIB_VERSION, type ApiResource } from './api-resources.ts'

/**
 * The discovery documents a Kubernetes API server answers, for the resources in
 * api-resources.ts: legacy (APIVersions, APIGroupList, APIGroup, APIResourceList) and aggregated
 * (apidiscovery.k8s.io APIGroupDiscoveryList, which kubectl 1.26+ asks for first so that one
 * request on /api and one on /apis replace a request per group version).
 */

/** `/api`: the core group's versions. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }
}

const KATIB_GROUP_VERSION_ENTRY = { groupVersion: KATIB_GROUP_VERSION, version: KATIB_VERSION }

/** `/apis/kubeflow.org`. */
export function katibApiGroup(): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', name: KATIB_GROUP, versions: [KATIB_GROUP_VERSION_ENTRY], preferredVersion: KATIB_GROUP_VERSION_ENTRY }
}

/** `/apis`: every group but the core one. */
export function apiGroupList(): Record<string, unknown> {
  const { kind: _kind, apiVersion: _apiVersion, ...group } = katibApiGroup()
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] }
}

/** `/api/v1` or `/apis/kubeflow.org/v1beta1`: a resource and each of its subresources. */
export function apiResourceList(resources: readonly ApiResource[]): Record<string, unknown> {
  const entries = resources.flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    },
    ...Object.entries(r.subresources ?? {}).map(([sub, verbs]) => ({ name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs })),
  ])
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionOf(resources[0]!), resources: entries }
}

export const coreResourceList = () => apiResourceList(CORE_RESOURCES)
export const katibResourceList = () => apiResourceList(KATIB_RESOURCES)

/** The aggregated-discovery versions this server speaks, newest first (kubectl 1.32 asks for v2, then v2beta1). */
export const AGGREGATED_VERSIONS = ['v2', 'v2beta1'] as const
export type AggregatedVersion = (typeof AGGREGATED_VERSIONS)[number]

export function aggregatedContentType(version: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`
}

function resourceDiscovery(r: ApiResource): Record<string, unknown> {
  const responseKind = { group: r.group, version: r.version, kind: r.kind }
  return {
    resource: r.plural,
    responseKind,
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    ...(r.subresources
      ? { subresources: Object.entries(r.subresources).map(([subresource, verbs]) => ({ subresource, responseKind, verbs })) }
      : {}),
  }
}

/** `/api` or `/apis` in aggregated form: all groups, their versions and resources at once. */
export function aggregatedDiscovery(which: 'api' | 'apis', version: AggregatedVersion): Record<string, unknown> {
  const item = which === 'api'
    ? { metadata: { creationTimestamp: null }, versions: [{ version: 'v1', resources: CORE_RESOURCES.map(resourceDiscovery), freshness: 'Current' }] }
    : { metadata: { name: KATIB_GROUP, creationTimestamp: null }, versions: [{ version: KATIB_VERSION, resources: KATIB_RESOURCES.map(resourceDiscovery), freshness: 'Current' }] }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items: [item] }
}

/**
 * Which aggregated version an Accept header asks for, in the client's order of preference;
 * undefined when it asks only for plain JSON (older clients), which gets the legacy document.
 */
export function aggregatedVersionWanted(accept: string | undefined): AggregatedVersion | undefined {
  for (const entry of (accept ?? '').split(',')) {
    const params = new Map<string, string>()
    for (const part of entry.split(';').slice(1)) {
      const [key, value] = part.split('=')
      if (key !== undefined && value !== undefined) params.set(key.trim(), value.trim())
    }
    if (params.get('g') !== 'apidiscovery.k8s.io' || params.get('as') !== 'APIGroupDiscoveryList' || params.get('q') === '0') continue
    const version = AGGREGATED_VERSIONS.find((v) => v === params.get('v'))
    if (version !== undefined) return version
  }
  return undefined
}
