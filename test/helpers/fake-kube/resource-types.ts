import type { PrinterColumn } from './table.ts'

/**
 * The resources the fake serves and what discovery says about them. Built-in kinds are validated
 * with kubernetes-models (validation.ts); custom resources are registered like a CRD would make
 * them (or by POSTing a CustomResourceDefinition) and are stored without schema checks.
 */
export interface ResourceType {
  group: string
  version: string
  kind: string
  /** The URL segment: `jobs`. */
  plural: string
  singular: string
  namespaced: boolean
  /** Whether `.../status` exists; then the main endpoint ignores status changes. */
  statusSubresource: boolean
  /** Extra subresources listed in discovery (`log` for pods). */
  subresources?: string[]
  shortNames?: string[]
  /** A custom resource: PUT needs metadata.resourceVersion, strategic merge patch is refused. */
  custom: boolean
  /** A CRD's additionalPrinterColumns: the Table that `kubectl get` prints. */
  printerColumns?: PrinterColumn[]
}

export type ResourceTypeInit = Omit<ResourceType, 'singular' | 'custom' | 'statusSubresource'> &
  Partial<Pick<ResourceType, 'singular' | 'custom' | 'statusSubresource'>>

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`
}

const BUILT_IN: ResourceTypeInit[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, statusSubresource: true, shortNames: ['ns'] },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, statusSubresource: true, subresources: ['log'], shortNames: ['po'] },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, statusSubresource: true, shortNames: ['svc'] },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, statusSubresource: true },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, statusSubresource: true, shortNames: ['cj'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, statusSubresource: true, shortNames: ['deploy'] },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    statusSubresource: true,
    shortNames: ['crd', 'crds'],
  },
]

/** Custom resources of the training operator and Katib, present from the start. */
export const DEFAULT_CUSTOM_RESOURCES: ResourceTypeInit[] = [
  { group: 'kubeflow.org', version: 'v1', kind: 'TFJob', plural: 'tfjobs', namespaced: true, statusSubresource: true },
  { group: 'kubeflow.org', version: 'v1', kind: 'PyTorchJob', plural: 'pytorchjobs', namespaced: true, statusSubresource: true },
  { group: 'kubeflow.org', version: 'v1', kind: 'XGBoostJob', plural: 'xgboostjobs', namespaced: true, statusSubresource: true },
  { group: 'kubeflow.org', version: 'v1', kind: 'MPIJob', plural: 'mpijobs', namespaced: true, statusSubresource: true },
  {
    group: 'kubeflow.org',
    version: 'v1beta1',
    kind: 'Experiment',
    plural: 'experiments',
    namespaced: true,
    statusSubresource: true,
    // Katib's CRD columns; POSTing our own CRD replaces them with its.
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.status.conditions[-1:].type' },
      { name: 'Status', type: 'string', jsonPath: '.status.conditions[-1:].status' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  },
  { group: 'kubeflow.org', version: 'v1beta1', kind: 'Trial', plural: 'trials', namespaced: true, statusSubresource: true },
  { group: 'kubeflow.org', version: 'v1beta1', kind: 'Suggestion', plural: 'suggestions', namespaced: true, statusSubresource: true },
]

export class ResourceRegistry {
  private readonly types: ResourceType[] = []

  constructor(custom: ResourceTypeInit[] = DEFAULT_CUSTOM_RESOURCES) {
    for (const init of BUILT_IN) this.register({ ...init, custom: false })
    for (const init of custom) this.register(init)
  }

  /** Adds (or replaces) a resource; custom unless said otherwise. */
  register(init: ResourceTypeInit): ResourceType {
    const type: ResourceType = {
      singular: init.kind.toLowerCase(),
      custom: true,
      statusSubresource: false,
      ...init,
    }
    const at = this.types.findIndex((t) => t.group === type.group && t.version === type.version && t.plural === type.plural)
    if (at >= 0) this.types[at] = type
    else this.types.push(type)
    return type
  }

  byPath(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural)
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind)
  }

  /** By plural (`jobs`) or `plural.group` (`tfjobs.kubeflow.org`) or kind, for the test-facing helpers. */
  lookup(name: string): ResourceType {
    const found =
      this.types.find((t) => `${t.plural}${t.group ? `.${t.group}` : ''}` === name) ??
      this.types.find((t) => t.plural === name) ??
      this.types.find((t) => t.kind === name)
    if (!found) throw new Error(`fake-kube: no resource ${name}`)
    return found
  }

  groupVersions(group: string): string[] {
    return [...new Set(this.types.filter((t) => t.group === group).map((t) => t.version))]
  }

  groups(): string[] {
    return [...new Set(this.types.filter((t) => t.group !== '').map((t) => t.group))]
  }

  /** GET /api/v1 or /apis/<group>/<version>. */
  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    const types = this.types.filter((t) => t.group === group && t.version === version)
    if (types.length === 0) return undefined
    const resources: Record<string, unknown>[] = []
    for (const t of types) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      })
      const subresources = [...(t.statusSubresource ? ['status'] : []), ...(t.subresources ?? [])]
      for (const sub of subresources) {
        resources.push({
          name: `${t.plural}/${sub}`,
          singularName: '',
          namespaced: t.namespaced,
          kind: sub === 'log' ? 'Pod' : t.kind,
          verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
        })
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources }
  }

  /** GET /apis/<group>, and the entries of GET /apis. */
  apiGroup(group: string): Record<string, unknown> | undefined {
    const versions = this.groupVersions(group)
    if (versions.length === 0 || group === '') return undefined
    const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }))
    return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0] }
  }

  apiGroupList(): Record<string, unknown> {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.groups().map((group) => {
        const { kind: _kind, apiVersion: _apiVersion, ...rest } = this.apiGroup(group)!
        return rest
      }),
    }
  }
}
