import type { Issue } from './api-types.ts'

/** A non-2xx answer in the API's error shape, or status 0 when the server could not be reached. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly issues: readonly Issue[]
  constructor(status: number, code: string, message: string, issues: readonly Issue[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.issues = issues
  }
}

/** A route this server does not have yet (an older or newer server than the page). */
export const isMissingRoute = (error: unknown): boolean => error instanceof ApiError && error.code === 'ROUTE_NOT_FOUND'
