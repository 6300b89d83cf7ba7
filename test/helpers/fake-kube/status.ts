import {
  alreadyExists as productAlreadyExists, conflict as productConflict, invalid as productInvalid, KubeError as ProductKubeError, kubeStatus,
  notFound as productNotFound, type KubeStatus, type KubeStatusDetails,
} from '../../../api/kube/kube-status.ts'
import type { ResourceType } from './resource-types.ts'

/** One entry of a Status' `details.causes`, as 422 Invalid carries them. */
export interface StatusCause {
  reason: string
  message: string
  field?: string
}

/**
 * A failure the fake answers with a Kubernetes `Status` body (never a bare text), so the client
 * library raises the same ApiException a real server causes. The product's KubeError
 * (api/kube/kube-status.ts) underneath: the fake and `tunewell serve` word a Status alike.
 */
export class KubeError extends ProductKubeError {
  constructor(code: number, reason: string, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super({ ...kubeStatus(code, reason, message), details: details as KubeStatusDetails }, headers)
  }

  get reason(): string {
    return this.status.reason ?? ''
  }

  get details(): Record<string, unknown> {
    return (this.status.details ?? {}) as Record<string, unknown>
  }

  /** As the fake always answered: `details` present, empty or not. */
  toStatus(): Record<string, unknown> {
    const s = this.status
    return { kind: s.kind, apiVersion: s.apiVersion, metadata: s.metadata, status: s.status, message: s.message, reason: s.reason, details: this.details, code: s.code }
  }

  static from(error: ProductKubeError): KubeError {
    const s: KubeStatus = error.status
    return new KubeError(s.code, s.reason ?? '', s.message ?? '', { ...s.details }, { ...error.headers })
  }
}

/** `jobs.batch`, or `pods` for the core group: how messages name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`
}

export function notFound(type: ResourceType, name: string): KubeError {
  return KubeError.from(productNotFound(type, name))
}

export function alreadyExists(type: ResourceType, name: string): KubeError {
  return KubeError.from(productAlreadyExists(type, name))
}

export function conflict(type: ResourceType, name: string): KubeError {
  return KubeError.from(productConflict(type, name))
}

export function invalid(type: ResourceType, name: string, causes: StatusCause[]): KubeError {
  return KubeError.from(productInvalid(type, name, causes))
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
