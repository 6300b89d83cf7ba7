import type { FastifyError, FastifyRequest } from 'fastify'
import { InvalidSpecError, TunewellError } from '../../core/errors.ts'
import { isDatabaseUnavailable } from '../../db/is-database-unavailable.ts'
import { HttpError } from '../http-error.ts'
import { validationIssues } from '../plugins/validation-issues.ts'
import {
  alreadyExists, badRequest, causesFromIssues, conflict, fieldPath, internalError, invalid, KubeError, kubeStatus, kubeTarget,
  notFound, serviceUnavailable, type KubeKind,
} from './kube-status.ts'

/** StatusReason per HTTP code (apimachinery's metav1), for failures that carry only a code. */
const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
}

/**
 * Any failure on a kube path as the KubeError a Kubernetes API server would have answered:
 * a KubeError as it is; our domain errors by what they mean (an invalid spec is 422 Invalid
 * with a cause per field, a missing experiment NotFound, a taken name AlreadyExists); request
 * schema, JSON and media-type failures from fastify by their code; 401/403 of the auth and
 * host guards; anything else 500 InternalError with the details left to the log.
 */
export function toKubeError(error: FastifyError | Error, request: FastifyRequest): KubeError {
  if (error instanceof KubeError) return error
  const fastifyError = error as FastifyError
  const target = kubeTarget(request.url)
  if (fastifyError.validation) {
    const issues = validationIssues(fastifyError.validation, fastifyError.validationContext ?? 'body')
    const first = issues[0]
    return badRequest(first ? `${fieldPath(first.path) || first.path}: ${first.message}` : error.message)
  }
  if (error instanceof InvalidSpecError) {
    return invalid(target.resource ?? 'experiments', target.name ?? bodyName(request) ?? '', causesFromIssues(error.issues))
  }
  if (error instanceof TunewellError) {
    const kind: KubeKind = target.resource ?? 'experiments'
    const name = target.name ?? quotedName(error.message) ?? bodyName(request) ?? ''
    switch (error.code) {
      case 'EXPERIMENT_NOT_FOUND':
        return notFound('experiments', quotedName(error.message) ?? name)
      case 'TRIAL_NOT_FOUND':
        return notFound('trials', quotedName(error.message) ?? name)
      case 'EXPERIMENT_EXISTS':
        return alreadyExists(kind, bodyName(request) ?? name)
      case 'STATE_CONFLICT':
        return conflict(kind, name, error.message)
      case 'DATABASE_UNAVAILABLE':
        return serviceUnavailable('the database cannot be reached right now; retry later', 5)
      case 'SPEC_INVALID':
      case 'ALGORITHM_SETTINGS_INVALID':
        return invalid(kind, name, [{ reason: 'FieldValueInvalid', message: error.message }])
      case 'EXECUTOR_FAILED':
        return internalError(error.message)
    }
  }
  if (error instanceof HttpError) {
    const message = error.status === 404 && error.code === 'ROUTE_NOT_FOUND' ? 'the server could not find the requested resource' : error.message
    return new KubeError(kubeStatus(error.status, REASONS[error.status] ?? '', message), error.headers)
  }
  const status = fastifyError.statusCode
  if (status !== undefined && status >= 400 && status < 500) return new KubeError(kubeStatus(status, REASONS[status] ?? '', error.message))
  if (isDatabaseUnavailable(error)) return serviceUnavailable('the database cannot be reached right now; retry later', 5)
  return internalError(`an error on the server ("internal error, request ${request.id}") has prevented the request from succeeding`)
}

/** `experiment "x" not found` → `x`. */
function quotedName(message: string): string | undefined {
  return /"([^"]+)"/.exec(message)?.[1]
}

/** A create's object name (POST has none in its URL). */
function bodyName(request: FastifyRequest): string | undefined {
  const body = request.body as { metadata?: { name?: unknown; generateName?: unknown } } | undefined
  const name = body?.metadata?.name ?? body?.metadata?.generateName
  return typeof name === 'string' ? name : undefined
}
