import type { ResourceType } from './resource-types.ts'

/** One entry of a Status' `details.causes`, as 422 Invalid carries them. */
export interface StatusCause {
  reason: string
  message: string
  field?: string
}

/**
 * A failure the fake answers with a Kubernetes `Status` body (never a bare text), so the client
 * library raises the same ApiException a real server causes.
 */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    }
  }
}

/** `jobs.batch`, or `pods` for the core group: how messages name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`
}

export function notFound(type: ResourceType, name: string): KubeError {
  return new KubeError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, { name, group: type.group, kind: type.plural })
}

export function alreadyExists(type: ResourceType, name: string): KubeError {
  return new KubeError(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, { name, group: type.group, kind: type.plural })
}

export function conflict(type: ResourceType, name: string): KubeError {
  return new KubeError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: type.group, kind: type.plural },
  )
}

export function invalid(type: ResourceType, name: string, causes: StatusCause[]): KubeError {
  const group = type.group === '' ? '' : `.${type.group}`
  const summary = causes.map((cause) => (cause.field ? `${cause.field}: ${cause.message}` : cause.message))
  const listed = summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`
  return new KubeError(422, 'Invalid', `${type.kind}${group} "${name}" is invalid: ${listed}`, {
    name,
    group: type.group,
    kind: type.kind,
    causes,
  })
}

export function forbidden(verb: string, type: ResourceType, namespace: string | undefined, user: string): KubeError {
  const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'
  return new KubeError(
    403,
    'Forbidden',
    `${qualifiedResource(type)} is forbidden: User "${user}" cannot ${verb} resource "${type.plural}" in API group "${type.group}"${where}`,
    { group: type.group, kind: type.plural },
  )
}

export function badRequest(message: string): KubeError {
  return new KubeError(400, 'BadRequest', message)
}

export function gone(message: string): KubeError {
  return new KubeError(410, 'Expired', message)
}

/** The Status a delete answers when the object went away at once. */
export function successStatus(type: ResourceType, name: string, uid: string | undefined): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: type.group, kind: type.plural, uid } }
}
