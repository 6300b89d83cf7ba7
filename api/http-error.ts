import type { SpecIssue } from '../core/errors.ts'

/** Codes of failures that exist only at the HTTP surface (the domain's are core/errors.ts ErrorCode). */
export type HttpErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  // a request a web page may have made (plugins/host-origin-guard.ts)
  | 'HOST_NOT_ALLOWED'
  | 'CROSS_ORIGIN'
  | 'ROUTE_NOT_FOUND'
  | 'LOG_NOT_FOUND'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_READY'
  | 'INTERNAL'
  // ask/tell (docs/api.md)
  | 'NOT_ASK_TELL'
  | 'EXPERIMENT_COMPLETED'
  | 'NO_TRIAL_AVAILABLE'
  | 'TRIAL_FINISHED'
  | 'TRIAL_REOFFERED'

/** A request the API refuses for HTTP reasons (a bad cursor, a missing token); see plugins/error-handler.ts. */
export class HttpError extends Error {
  readonly status: number
  readonly code: HttpErrorCode
  readonly issues: readonly SpecIssue[] | undefined
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Readonly<Record<string, string>>
  constructor(status: number, code: HttpErrorCode, message: string, issues?: readonly SpecIssue[], headers: Readonly<Record<string, string>> = {}) {
    super(message)
    this.name = 'HttpError'
    this.status = status
    this.code = code
    this.issues = issues
    this.headers = headers
  }
}

/** 400 naming the offending field, e.g. `/querystring/cursor`. */
export function invalidField(path: string, message: string): HttpError {
  return new HttpError(400, 'INVALID_REQUEST', `${path}: ${message}`, [{ path, message }])
}
