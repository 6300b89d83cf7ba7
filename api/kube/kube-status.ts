import type { SpecIssue } from '../../core/errors.ts'

/**
 * Kubernetes' `Status` (meta/v1): what a Kubernetes API server answers for every failure, and
 * what kubectl, client-go and the Python client turn into the messages and exceptions their
 * users know ("Error from server (NotFound): experiments.kubeflow.org "x" not found"). Kube
 * paths (isKubePath) answer only these, never the REST API's `{ error }` body.
 */
export interface KubeStatus {
  readonly kind: 'Status'
  readonly apiVersion: 'v1'
  readonly metadata: Record<string, never>
  readonly status: 'Failure' | 'Success'
  readonly message?: string
  readonly reason?: string
  readonly details?: KubeStatusDetails
  readonly code: number
}

export interface KubeStatusDetails {
  readonly name?: string
  readonly group?: string
  /** The resource (`experiments`) for most errors, the kind (`Experiment`) for Invalid, as a server writes them. */
  readonly kind?: string
  readonly uid?: string
  readonly causes?: readonly KubeStatusCause[]
  readonly retryAfterSeconds?: number
}

/** One entry of `details.causes`; `reason` is the CauseType (FieldValueInvalid, FieldValueRequired, ...). */
export interface KubeStatusCause {
  readonly reason: string
  readonly message: string
  /** Kubernetes' field path: `spec.parameters[0].feasibleSpace.min`. */
  readonly field?: string
}

/** What a message names: the group, the URL plural and the kind. */
export interface KubeResource {
  readonly group: string
  readonly plural: string
  readonly kind: string
}

export const KUBE_RESOURCES = {
  experiments: { group: 'kubeflow.org', plural: 'experiments', kind: 'Experiment' },
  trials: { group: 'kubeflow.org', plural: 'trials', kind: 'Trial' },
  suggestions: { group: 'kubeflow.org', plural: 'suggestions', kind: 'Suggestion' },
  namespaces: { group: '', plural: 'namespaces', kind: 'Namespace' },
  events: { group: '', plural: 'events', kind: 'Event' },
} as const satisfies Record<string, KubeResource>

export type KubeResourceName = keyof typeof KUBE_RESOURCES

/** A resource by its plural (`'experiments'`) or described in full. */
export type KubeKind = KubeResourceName | KubeResource

/** A failure on a kube path, carrying the Status it answers with (api/plugins/error-handler.ts). */
export class KubeError extends Error {
  readonly status: KubeStatus
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Readonly<Record<string, string>>
  constructor(status: KubeStatus, headers: Readonly<Record<string, string>> = {}) {
    super(status.message ?? status.reason ?? `status ${status.code}`)
    this.name = 'KubeError'
    this.status = status
    this.headers = headers
  }

  get code(): number {
    return this.status.code
  }
}

/** A Failure Status; an empty `details` is left out, as a server does (omitempty). */
export function kubeStatus(code: number, reason: string, message: string, details?: KubeStatusDetails): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details && Object.keys(details).length > 0 ? { details } : {}),
    code,
  }
}

/** The Success Status a delete answers when the object is gone at once (no finalizers). */
export function successStatus(kind: KubeKind, name: string, uid?: string): KubeStatus {
  const r = resourceOf(kind)
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: r.group, kind: r.plural, ...(uid ? { uid } : {}) }, code: 200 }
}

export function resourceOf(kind: KubeKind): KubeResource {
  return typeof kind === 'string' ? KUBE_RESOURCES[kind] : kind
}

/** `experiments.kubeflow.org`, or `namespaces` for the core group: how messages name a resource. */
export function qualifiedResource(kind: KubeKind): string {
  const r = resourceOf(kind)
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`
}

function error(code: number, reason: string, message: string, details?: KubeStatusDetails, headers?: Record<string, string>): KubeError {
  return new KubeError(kubeStatus(code, reason, message, details), headers)
}

function named(kind: KubeKind, name: string): KubeStatusDetails {
  const r = resourceOf(kind)
  return { name, group: r.group, kind: r.plural }
}

export function notFound(kind: KubeKind, name: string): KubeError {
  return error(404, 'NotFound', `${qualifiedResource(kind)} "${name}" not found`, named(kind, name))
}

/** A path no route serves, as a server answers an unknown resource or subresource. */
export function routeNotFound(): KubeError {
  return error(404, 'NotFound', 'the server could not find the requested resource')
}

export function alreadyExists(kind: KubeKind, name: string): KubeError {
  return error(409, 'AlreadyExists', `${qualifiedResource(kind)} "${name}" already exists`, named(kind, name))
}

/** A write based on a stale resourceVersion (optimistic concurrency). */
export function conflict(kind: KubeKind, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): KubeError {
  return error(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(kind)} "${name}": ${why}`, named(kind, name))
}

/**
 * 422 Invalid with one cause per problem; the message lists them as a server does (one bare,
 * several in brackets), and kubectl prints each cause on its own line.
 */
export function invalid(kind: KubeKind, name: string, causes: readonly KubeStatusCause[]): KubeError {
  const r = resourceOf(kind)
  const group = r.group === '' ? '' : `.${r.group}`
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
  const listed = summary.length === 1 ? summary[0]! : `[${summary.join(', ')}]`
  return error(422, 'Invalid', `${r.kind}${group} "${name}" is invalid: ${listed}`, { name, group: r.group, kind: r.kind, causes })
}

/** Our spec issues (JSON pointers) as Status causes (Kubernetes field paths). */
export function causesFromIssues(issues: readonly SpecIssue[], type = 'FieldValueInvalid'): KubeStatusCause[] {
  return issues.map((i) => ({ reason: type, message: i.message, ...(i.path ? { field: fieldPath(i.path) } : {}) }))
}

/**
 * `/spec/parameters/0/feasibleSpace/min` → `spec.parameters[0].feasibleSpace.min`; a key that is
 * not a plain name (a label such as `katib.kubeflow.org/x`) goes in brackets, as apimachinery's
 * field.Path writes map keys.
 */
export function fieldPath(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  let out = ''
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${part}]`
  }
  return out
}

export function forbidden(message: string, kind?: KubeKind, name?: string): KubeError {
  return error(403, 'Forbidden', message, kind ? { ...(name ? { name } : {}), group: resourceOf(kind).group, kind: resourceOf(kind).plural } : undefined)
}

export function unauthorized(): KubeError {
  // A server says no more than this, whatever failed (no token, a wrong one).
  return error(401, 'Unauthorized', 'Unauthorized')
}

/** 410: a watch's or list's resourceVersion, or a continue token, older than what is kept. */
export function gone(message: string, reason = 'Expired'): KubeError {
  return error(410, reason, message)
}

/** 415, naming the media types the endpoint takes (a strategic merge patch on a custom resource). */
export function unsupportedMediaType(contentType: string | undefined, accepted: readonly string[]): KubeError {
  const what = contentType ? `the body of the request was in an unknown format` : 'the request has no Content-Type'
  return error(415, 'UnsupportedMediaType', `${what} - accepted media types include: ${accepted.join(', ')}`)
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): KubeError {
  return error(405, 'MethodNotAllowed', message)
}

export function badRequest(message: string, details?: KubeStatusDetails): KubeError {
  return error(400, 'BadRequest', message, details)
}

export function tooLarge(message: string): KubeError {
  return error(413, 'RequestEntityTooLarge', message)
}

export function serviceUnavailable(message: string, retryAfterSeconds?: number): KubeError {
  const headers: Record<string, string> = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}
  return error(503, 'ServiceUnavailable', message, retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined, headers)
}

export function internalError(message: string): KubeError {
  return error(500, 'InternalError', message)
}

/**
 * Whether a URL is the Kubernetes API's rather than the REST API's: `/version`, `/api`,
 * `/api/v1` and `/api/v1/namespaces…`, `/apis…`, `/openapi/v2`, `/openapi/v3…`. The REST API
 * lives under `/api/v1/` too (`/api/v1/experiments`) but has no `namespaces`.
 */
export function isKubePath(url: string): boolean {
  const path = url.split('?')[0]!.replace(/\/+$/, '') || '/'
  if (path === '/version' || path === '/api' || path === '/api/v1' || path === '/apis' || path === '/openapi/v2' || path === '/openapi/v3') return true
  return path.startsWith('/api/v1/namespaces/') || path === '/api/v1/namespaces' || path.startsWith('/apis/') || path.startsWith('/openapi/v3/')
}

/** The resource and object a kube URL names (for errors raised below the routes, which know no kind). */
export interface KubeTarget {
  readonly resource?: KubeResource
  readonly namespace?: string
  readonly name?: string
}

/** `/apis/kubeflow.org/v1beta1/namespaces/ns/experiments/x/status` → experiments, ns, x. */
export function kubeTarget(url: string): KubeTarget {
  const segments = url.split('?')[0]!.split('/').filter((s) => s !== '').map(decodeSegment)
  let rest: string[]
  if (segments[0] === 'apis' && segments.length >= 3) rest = segments.slice(3)
  else if (segments[0] === 'api' && segments[1] === 'v1') rest = segments.slice(2)
  else return {}
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  const plural = rest[0]
  const known = Object.values(KUBE_RESOURCES).find((r) => r.plural === plural)
  const resource = known ?? (plural ? { group: segments[0] === 'apis' ? segments[1]! : '', plural, kind: plural } : undefined)
  return { ...(resource ? { resource } : {}), ...(namespace !== undefined ? { namespace } : {}), ...(rest[1] ? { name: rest[1] } : {}) }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
