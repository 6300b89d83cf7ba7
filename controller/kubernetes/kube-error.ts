import { ApiException } from '@kubernetes/client-node'

/**
 * What an API call's failure says, in Kubernetes' own words: the message of the Status body the
 * server answered (`jobs.batch is forbidden: User "..." cannot create ...`, `namespaces "x" not
 * found`, `Job.batch "t" is invalid: spec.template...`), else the HTTP code, else the network
 * error. client-node's ApiException carries the body as parsed JSON or as text.
 */
export function kubeErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const status = statusBody(error.body)
    if (status?.message) return status.message
    return `the Kubernetes API answered HTTP ${error.code}${typeof error.body === 'string' && error.body ? `: ${error.body}` : ''}`
  }
  const code = statusCodeOf(error)
  const message = error instanceof Error ? error.message : String(error)
  return code !== undefined ? `the Kubernetes API answered HTTP ${code}: ${message}` : `cannot reach the Kubernetes API: ${message}`
}

/** The HTTP status of a failed call (ApiException's code, a watch error's statusCode), if it got one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code
  const record = error as { statusCode?: unknown; code?: unknown } | null
  if (typeof record?.statusCode === 'number') return record.statusCode
  if (typeof record?.code === 'number') return record.code
  return undefined
}

/** The Status `reason` (AlreadyExists, Forbidden, Invalid, NotFound, Gone, ...), if the body had one. */
export function statusReasonOf(error: unknown): string | undefined {
  return error instanceof ApiException ? statusBody(error.body)?.reason : undefined
}

function statusBody(body: unknown): { message?: string; reason?: string } | undefined {
  let value = body
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { message, reason } = value as { message?: unknown; reason?: unknown }
  return {
    ...(typeof message === 'string' && message !== '' ? { message } : {}),
    ...(typeof reason === 'string' && reason !== '' ? { reason } : {}),
  }
}
