import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { TunewellError, InvalidSpecError, type ErrorCode, type SpecIssue } from '../../core/errors.ts'
import { isDatabaseUnavailable } from '../../db/is-database-unavailable.ts'
import { HttpError } from '../http-error.ts'
import { toKubeError } from '../kube/kube-error.ts'
import { isKubePath, routeNotFound, type KubeError } from '../kube/kube-status.ts'
import type { ErrorBody } from '../schemas/common.ts'
import { validationIssues } from './validation-issues.ts'

const DOMAIN_STATUS: Readonly<Record<ErrorCode, number>> = {
  SPEC_INVALID: 422,
  ALGORITHM_SETTINGS_INVALID: 422,
  EXPERIMENT_NOT_FOUND: 404,
  TRIAL_NOT_FOUND: 404,
  EXPERIMENT_EXISTS: 409,
  STATE_CONFLICT: 409,
  DATABASE_UNAVAILABLE: 503,
  EXECUTOR_FAILED: 500,
}

/** Fastify's own client errors, by its code; any other 4xx of fastify's keeps its status as INVALID_REQUEST. */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
}

/** At most one outage line per this many ms, per app. */
const OUTAGE_LOG_EVERY_MS = 30_000

/**
 * The one place where failures become HTTP answers, all shaped `{ error: { code, message,
 * issues? } }`: request-schema failures 400 with the field's path, domain errors by their code
 * (invalid spec 422 with every issue, not found 404, conflicts 409), fastify's client errors
 * with their status, unknown routes 404. Anything else is our bug: 500 with a generic message,
 * the details in the log only.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  let lastOutageLog = -Infinity
  const logFailure = (error: FastifyError, request: FastifyRequest) => {
    if (isDatabaseUnavailable(error) || (error instanceof TunewellError && error.code === 'DATABASE_UNAVAILABLE')) {
      // An outage fails every request: one line now and then, not a stack per request.
      if (Date.now() - lastOutageLog >= OUTAGE_LOG_EVERY_MS) {
        lastOutageLog = Date.now()
        request.log.warn(`database unreachable: ${(error as Error).message} (requests answer 503 until it is back)`)
      }
    } else request.log.error({ err: error }, 'request failed')
  }
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // Kubernetes clients read only a Status (api/kube/kube-status.ts): kube paths answer nothing else.
    if (isKubePath(request.url)) {
      const kubeError = toKubeError(error, request)
      if (kubeError.code >= 500) logFailure(error, request)
      return sendKube(reply, kubeError)
    }
    const [status, body] = toAnswer(error, request)
    if (status >= 500) logFailure(error, request)
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="tunewell"')
    if (error instanceof HttpError) reply.headers(error.headers)
    return reply.code(status).type('application/json; charset=utf-8').send(body)
  })
  app.setNotFoundHandler((request, reply) => {
    if (isKubePath(request.url)) return sendKube(reply, routeNotFound())
    const body = errorBody('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}; the API is described at /api/v1/openapi.json`)
    return reply.code(404).send(body)
  })
}

function sendKube(reply: FastifyReply, error: KubeError): FastifyReply {
  if (error.code === 401) reply.header('www-authenticate', 'Bearer realm="tunewell"')
  reply.headers(error.headers)
  return reply.code(error.code).type('application/json').send(error.status)
}

function toAnswer(error: FastifyError, request: FastifyRequest): [number, ErrorBody] {
  if (error.validation) {
    const issues = validationIssues(error.validation, error.validationContext ?? 'body')
    const first = issues[0]
    return [400, errorBody('INVALID_REQUEST', first ? `${first.path}: ${first.message}` : error.message, issues)]
  }
  if (error instanceof HttpError) return [error.status, errorBody(error.code, error.message, error.issues)]
  if (error instanceof InvalidSpecError) return [422, errorBody(error.code, error.message, error.issues)]
  if (error instanceof TunewellError) return [DOMAIN_STATUS[error.code], errorBody(error.code, error.message)]
  const status = error.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    return [status, errorBody(FASTIFY_CODES[error.code] ?? 'INVALID_REQUEST', error.message)]
  }
  if (isDatabaseUnavailable(error)) {
    return [503, errorBody('DATABASE_UNAVAILABLE', 'the database cannot be reached right now; retry later')]
  }
  return [500, errorBody('INTERNAL', `internal error (request ${request.id}); the server log has the details`)]
}

function errorBody(code: string, message: string, issues?: readonly SpecIssue[]): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(issues && issues.length > 0
        ? { issues: issues.map((i) => ({ path: i.path, message: i.message, ...(i.line !== undefined ? { line: i.line, col: i.col ?? 1 } : {}) })) }
        : {}),
    },
  }
}
