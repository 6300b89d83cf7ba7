/**
 * The resources `tunewell serve` answers on its Kubernetes paths, described once: discovery
 * (legacy and aggregated), the OpenAPI documents, Table columns and the CRD that
 * scripts/crd/experiment-crd.ts writes for cluster mode all read them here, so kubectl sees the
 * same names, short names and columns whichever way it asks.
 *
 * Names and categories are Katib's (manifests/v1beta1/components/crd/*.yaml); `exp` is ours (our
 * CRD has it too). Verbs are what this server serves, not what a CRD would: Trials and
 * Suggestions are read-only here (the controller writes them), so kubectl never offers an edit
 * that would only fail.
 */
export interface PrinterColumn {
  readonly name: string
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  /** The CRD's JSONPath; the Table evaluates it unless `cell` computes the value. */
  readonly jsonPath: string
  readonly description?: string
  /** 0: shown by `kubectl get`; 1: only with `-o wide`. */
  readonly priority?: number
}

export interface ApiResource {
  readonly group: string
  readonly version: string
  readonly kind: string
  readonly plural: string
  readonly singular: string
  readonly namespaced: boolean
  readonly verbs: readonly string[]
  readonly shortNames?: readonly string[]
  readonly categories?: readonly string[]
  /** Subresources and their verbs (`status` of an Experiment is read-only here: the controller owns it). */
  readonly subresources?: Readonly<Record<string, readonly string[]>>
}

export const KATIB_GROUP = 'kubeflow.org'
export const KATIB_VERSION = 'v1beta1'
export const KATIB_GROUP_VERSION = `${KATIB_GROUP}/${KATIB_VERSION}`
export const KATIB_CATEGORIES = ['all', 'kubeflow', 'katib'] as const

const READ_ONLY = ['get', 'list', 'watch'] as const

export const EXPERIMENTS: ApiResource = {
  group: KATIB_GROUP,
  version: KATIB_VERSION,
  kind: 'Experiment',
  plural: 'experiments',
  singular: 'experiment',
  namespaced: true,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  shortNames: ['exp'],
  categories: KATIB_CATEGORIES,
  subresources: { status: ['get'] },
}

export const TRIALS: ApiResource = {
  group: KATIB_GROUP,
  version: KATIB_VERSION,
  kind: 'Trial',
  plural: 'trials',
  singular: 'trial',
  namespaced: true,
  verbs: READ_ONLY,
  categories: KATIB_CATEGORIES,
  subresources: { status: ['get'] },
}

export const SUGGESTIONS: ApiResource = {
  group: KATIB_GROUP,
  version: KATIB_VERSION,
  kind: 'Suggestion',
  plural: 'suggestions',
  singular: 'suggestion',
  namespaced: true,
  verbs: READ_ONLY,
  categories: KATIB_CATEGORIES,
  subresources: { status: ['get'] },
}

export const KATIB_RESOURCES: readonly ApiResource[] = [EXPERIMENTS, SUGGESTIONS, TRIALS]

/** core/v1 as far as this server has it: the namespaces experiments use, and their events. */
export const CORE_RESOURCES: readonly ApiResource[] = [
  { group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true, verbs: ['get', 'list', 'watch'], shortNames: ['ev'] },
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, verbs: ['get', 'list'], shortNames: ['ns'] },
]

/** Katib's columns (the last condition's type and status, the age), then a few for -o wide. */
export const EXPERIMENT_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Type', type: 'string', jsonPath: '.status.conditions[-1:].type' },
  { name: 'Status', type: 'string', jsonPath: '.status.conditions[-1:].status' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'Trials', type: 'integer', jsonPath: '.status.trials', priority: 1 },
  { name: 'Succeeded', type: 'integer', jsonPath: '.status.trialsSucceeded', priority: 1 },
  { name: 'Best', type: 'string', jsonPath: '.status.currentOptimalTrial.bestTrialName', priority: 1 },
]

export const TRIAL_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Type', type: 'string', jsonPath: '.status.conditions[-1:].type' },
  { name: 'Status', type: 'string', jsonPath: '.status.conditions[-1:].status' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
]

export const SUGGESTION_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Type', type: 'string', jsonPath: '.status.conditions[-1:].type' },
  { name: 'Status', type: 'string', jsonPath: '.status.conditions[-1:].status' },
  { name: 'Requested', type: 'string', jsonPath: '.spec.requests' },
  { name: 'Assigned', type: 'string', jsonPath: '.status.suggestionCount' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
]

export function groupVersionOf(resource: ApiResource): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`
}
