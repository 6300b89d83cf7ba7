import { CORE_RESOURCES, EXPERIMENTS, KATIB_GROUP, KATIB_RESOURCES, KATIB_VERSION, TRIALS, type ApiResource } from '../discovery/api-resources.ts'
import { coreSchema } from './core-schemas.ts'
import { experimentOpenApiSchema } from './experiment-schema.ts'
import { META, metaSchemas, ref } from './meta-schemas.ts'
import { suggestionSchema, trialSchema } from './read-only-schemas.ts'
import type { JsonSchema } from './to-structural-schema.ts'

/**
 * The OpenAPI v3 document of kubeflow.org/v1beta1 as a Kubernetes API server publishes one for a
 * CRD (`/openapi/v3/apis/kubeflow.org/v1beta1`): what kubectl 1.32 reads for `kubectl explain`
 * (a schema tagged with `x-kubernetes-group-version-kind`), for server-side field validation (a
 * PATCH operation of the kind with a `fieldValidation` parameter tells kubectl the server checks
 * fields itself, so it sends `fieldValidation=Strict` instead of validating client-side), and for
 * `kubectl apply`'s patch type (no strategic-merge-patch request body: it sends a JSON merge patch,
 * as it does for any custom resource).
 *
 * The Experiment's schema is the CRD's (experiment-schema.ts); Trials and Suggestions keep
 * unknown fields as Katib's do, with the fields we write typed (read-only-schemas.ts).
 */

/** What differs between the group versions served: where their paths live and how their schemas and operations are named. */
interface GroupVersion {
  readonly group: string
  readonly version: string
  /** `/apis/kubeflow.org/v1beta1`, `/api/v1`. */
  readonly base: string
  /** `org.kubeflow.v1beta1`, `io.k8s.api.core.v1`. */
  readonly schemaPrefix: string
  /** Operation ids as a server makes them: `list` + `KubeflowOrgV1beta1` + `NamespacedExperiment`. */
  readonly idPart: string
  readonly tag: string
  readonly resources: readonly ApiResource[]
  readonly schemaOf: (resource: ApiResource) => JsonSchema
}

const capital = (word: string) => word.replace(/^./, (c) => c.toUpperCase())

const KATIB: GroupVersion = {
  group: KATIB_GROUP,
  version: KATIB_VERSION,
  base: `/apis/${KATIB_GROUP}/${KATIB_VERSION}`,
  schemaPrefix: `${KATIB_GROUP.split('.').reverse().join('.')}.${KATIB_VERSION}`,
  idPart: `${KATIB_GROUP.split('.').map(capital).join('')}${capital(KATIB_VERSION)}`,
  tag: `${KATIB_GROUP.split('.')[0]}_${KATIB_VERSION}`,
  resources: KATIB_RESOURCES,
  schemaOf: (resource) => {
    const schema = resource === EXPERIMENTS ? experimentOpenApiSchema() : resource === TRIALS ? trialSchema() : suggestionSchema()
    return published(schema) as JsonSchema
  },
}

const CORE: GroupVersion = {
  group: '',
  version: 'v1',
  base: '/api/v1',
  schemaPrefix: 'io.k8s.api.core.v1',
  idPart: 'CoreV1',
  tag: 'core_v1',
  resources: CORE_RESOURCES,
  schemaOf: (resource) => coreSchema(resource.kind),
}

/** `org.kubeflow.v1beta1.Experiment`: the name a server gives a CRD's schema (the group reversed). */
export function schemaName(kind: string): string {
  return `${KATIB.schemaPrefix}.${kind}`
}

const gvk = (gv: GroupVersion, kind: string) => [{ group: gv.group, kind, version: gv.version }]

const API_VERSION_DESCRIPTION = 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources'
const KIND_DESCRIPTION = 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds'

/** A structural schema as a server publishes it: int-or-string also as anyOf (OpenAPI clients know no extension). */
function published(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(published)
  if (schema === null || typeof schema !== 'object') return schema
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) out[key] = published(value)
  if (out['x-kubernetes-int-or-string'] === true) out.anyOf = [{ type: 'integer' }, { type: 'string' }]
  return out
}

function objectSchema(gv: GroupVersion, kind: string, body: JsonSchema): JsonSchema {
  const properties = (body.properties ?? {}) as Record<string, JsonSchema>
  return {
    ...body,
    properties: {
      ...properties,
      apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
      kind: { type: 'string', description: KIND_DESCRIPTION },
      metadata: { allOf: [ref(`${META}.ObjectMeta`)], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    },
    'x-kubernetes-group-version-kind': gvk(gv, kind),
  }
}

function listSchema(gv: GroupVersion, resource: ApiResource): JsonSchema {
  return {
    type: 'object',
    description: `${resource.kind}List is a list of ${resource.kind}`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
      items: { type: 'array', description: `List of ${resource.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, items: ref(`${gv.schemaPrefix}.${resource.kind}`) },
      kind: { type: 'string', description: KIND_DESCRIPTION },
      metadata: { allOf: [ref(`${META}.ListMeta`)], description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
    'x-kubernetes-group-version-kind': gvk(gv, `${resource.kind}List`),
  }
}

const query = (name: string, description: string, schema: JsonSchema = { type: 'string' }): JsonSchema => ({ name, in: 'query', description, schema, uniqueItems: true })

const P = {
  pretty: query('pretty', "If 'true', then the output is pretty printed."),
  dryRun: query('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: query('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict (the default).'),
  force: query('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.', { type: 'boolean' }),
  allowWatchBookmarks: query('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', { type: 'boolean' }),
  continue: query('continue', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: query('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: query('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: query('limit', 'limit is a maximum number of responses to return for a list call.', { type: 'integer' }),
  resourceVersion: query('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: query('sendInitialEvents', 'sendInitialEvents=true may be set together with watch=true.', { type: 'boolean' }),
  timeoutSeconds: query('timeoutSeconds', 'Timeout for the list/watch call.', { type: 'integer' }),
  watch: query('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', { type: 'boolean' }),
  gracePeriodSeconds: query('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', { type: 'integer' }),
  propagationPolicy: query('propagationPolicy', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
  name: (kind: string): JsonSchema => ({ name: 'name', in: 'path', description: `name of the ${kind}`, required: true, schema: { type: 'string' }, uniqueItems: true }),
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string' }, uniqueItems: true },
}

const LIST_PARAMETERS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch]

function content(schema: JsonSchema, types = ['application/json', 'application/yaml']): JsonSchema {
  return Object.fromEntries(types.map((type) => [type, { schema }]))
}

function responses(schema: JsonSchema, ...codes: number[]): JsonSchema {
  const text: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' }
  return {
    ...Object.fromEntries(codes.map((code) => [String(code), { description: text[code], content: content(schema) }])),
    '401': { description: 'Unauthorized' },
  }
}

function operation(gv: GroupVersion, action: string, id: string, kind: string, description: string, parameters: JsonSchema[], responsesOf: JsonSchema, body?: JsonSchema): JsonSchema {
  return {
    tags: [gv.tag],
    description,
    operationId: id,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responsesOf,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: gv.group, version: gv.version, kind },
  }
}

/** The paths of one resource, with only the operations this server serves. */
function resourcePaths(gv: GroupVersion, r: ApiResource): Record<string, JsonSchema> {
  const kind = r.kind
  const object = ref(`${gv.schemaPrefix}.${kind}`)
  const list = ref(`${gv.schemaPrefix}.${kind}List`)
  const status = ref(`${META}.Status`)
  const scoped = r.namespaced ? 'Namespaced' : ''
  const id = (verb: string, suffix = '') => `${verb}${gv.idPart}${suffix}`
  const op = (action: string, operationId: string, description: string, parameters: JsonSchema[], answers: JsonSchema, body?: JsonSchema) =>
    operation(gv, action, operationId, kind, description, parameters, answers, body)
  const can = (verb: string) => r.verbs.includes(verb)
  const writeParameters = [P.dryRun, P.fieldManager, P.fieldValidation]
  const body = (schema: JsonSchema, types?: string[]) => ({ content: content(schema, types), required: true })
  const scope = r.namespaced ? [P.namespace] : []
  const collectionPath = r.namespaced ? `${gv.base}/namespaces/{namespace}/${r.plural}` : `${gv.base}/${r.plural}`

  const collection: JsonSchema = { parameters: [...scope, P.pretty] }
  collection.get = op('list', id('list', `${scoped}${kind}`), `list or watch objects of kind ${kind}`, LIST_PARAMETERS, responses(list, 200))
  if (can('create')) collection.post = op('post', id('create', `${scoped}${kind}`), `create a ${kind}`, writeParameters, responses(object, 200, 201, 202), body(object))

  const item: JsonSchema = { parameters: [P.name(kind), ...scope, P.pretty] }
  item.get = op('get', id('read', `${scoped}${kind}`), `read the specified ${kind}`, [P.resourceVersion], responses(object, 200))
  if (can('update')) item.put = op('put', id('replace', `${scoped}${kind}`), `replace the specified ${kind}`, writeParameters, responses(object, 200, 201), body(object))
  if (can('patch')) {
    // No application/strategic-merge-patch+json: a custom resource takes none, and kubectl reads its absence here.
    const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']
    item.patch = op('patch', id('patch', `${scoped}${kind}`), `partially update the specified ${kind}`, [...writeParameters, P.force], responses(object, 200, 201), body(ref(`${META}.Patch`), patchTypes))
  }
  if (can('delete')) {
    item.delete = op('delete', id('delete', `${scoped}${kind}`), `delete a ${kind}`, [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy], responses(status, 200, 202), { content: content(ref(`${META}.DeleteOptions`)) })
  }

  const paths: Record<string, JsonSchema> = {
    [collectionPath]: collection,
    [`${collectionPath}/{name}`]: item,
  }
  if (r.namespaced) {
    paths[`${gv.base}/${r.plural}`] = {
      parameters: [P.pretty],
      get: op('list', id('list', `${kind}ForAllNamespaces`), `list or watch objects of kind ${kind}`, LIST_PARAMETERS, responses(list, 200)),
    }
  }
  if (r.subresources?.status?.includes('get')) {
    paths[`${collectionPath}/{name}/status`] = {
      parameters: [P.name(kind), ...scope, P.pretty],
      get: op('get', id('read', `${scoped}${kind}Status`), `read status of the specified ${kind}`, [P.resourceVersion], responses(object, 200)),
    }
  }
  return paths
}

function document(gv: GroupVersion): JsonSchema {
  const schemas: Record<string, JsonSchema> = {}
  for (const r of gv.resources) {
    schemas[`${gv.schemaPrefix}.${r.kind}`] = objectSchema(gv, r.kind, gv.schemaOf(r))
    schemas[`${gv.schemaPrefix}.${r.kind}List`] = listSchema(gv, r)
  }
  return {
    openapi: '3.0.0',
    info: { title: gv === KATIB ? 'Kubernetes CRD Swagger' : 'Kubernetes', version: gv === KATIB ? 'v0.1.0' : 'unversioned' },
    paths: Object.assign({}, ...gv.resources.map((r) => resourcePaths(gv, r))),
    components: {
      schemas: { ...metaSchemas(), ...schemas },
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  }
}

/** `/openapi/v3/apis/kubeflow.org/v1beta1`. */
export function katibOpenApiV3(): JsonSchema {
  return document(KATIB)
}

/** `/openapi/v3/api/v1`: namespaces and events, for `kubectl explain` of them. */
export function coreOpenApiV3(): JsonSchema {
  return document(CORE)
}
