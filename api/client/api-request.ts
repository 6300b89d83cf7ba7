/**
 * The one HTTP call every client of the API makes (the CLI's server commands, trial programs
 * using the ask/tell client): base URL, bearer token, JSON or YAML bodies, and the API's error
 * shape turned into an ApiError. It uses only `fetch`, so a trial program can copy the
 * api/client folder without the server's code.
 */

export interface ApiConnection {
  /** e.g. `http://127.0.0.1:8080`; a trailing slash is ignored. */
  readonly server: string
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly token?: string
  /** Per-request timeout in milliseconds; default 30 s. */
  readonly timeoutMs?: number
  /**
   * What sends the request; default the global `fetch`. The CLI passes one that answers from
   * the API built in its own process over the local database (`app.inject`), so every answer
   * is the API's even without a server.
   */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>
}

export interface ApiIssue {
  readonly path: string
  readonly message: string
  readonly line?: number
  readonly col?: number
}

/** A non-2xx answer (or no answer at all: status 0, code `UNREACHABLE`). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly issues: readonly ApiIssue[]
  /** The answer's Retry-After in seconds, when it had one (e.g. ask/tell's NO_TRIAL_AVAILABLE). */
  readonly retryAfterSeconds: number | undefined
  constructor(status: number, code: string, message: string, issues: readonly ApiIssue[] = [], retryAfterSeconds?: number) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.issues = issues
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** Path with its query string, e.g. `/api/v1/experiments?limit=10`. */
  readonly path: string
  /** JSON-serialised unless `yaml` is given. */
  readonly body?: unknown
  /** Raw YAML text sent as application/yaml. */
  readonly yaml?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly signal?: AbortSignal
}

/** Resolves the parsed JSON answer (undefined for 204); rejects with ApiError. */
export async function apiRequest<T>(connection: ApiConnection, request: ApiRequest): Promise<T> {
  const response = await apiFetch(connection, request)
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text === '' ? undefined : JSON.parse(text)) as T
}

/** The raw Response of a successful call (for text and streamed answers); rejects with ApiError. */
export async function apiFetch(connection: ApiConnection, request: ApiRequest): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
  if (connection.token) headers.authorization = `Bearer ${connection.token}`
  let body: string | undefined
  if (request.yaml !== undefined) {
    headers['content-type'] = 'application/yaml'
    body = request.yaml
  } else if (request.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(request.body)
  }
  const url = `${connection.server.replace(/\/+$/, '')}${request.path}`
  const timeout = AbortSignal.timeout(connection.timeoutMs ?? 30_000)
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout
  let response: Response
  try {
    response = await (connection.fetch ?? fetch)(url, { method: request.method, headers, body, signal })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const why = cause?.code ?? cause?.message ?? (error as Error).message
    throw new ApiError(0, 'UNREACHABLE', `cannot reach ${url}: ${why}; is \`tunewell serve\` running there? (--server or TUNEWELL_SERVER)`)
  }
  if (response.ok) return response
  throw await toApiError(response)
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text()
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN)
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; issues?: ApiIssue[] } }
    if (parsed.error?.message !== undefined) {
      return new ApiError(response.status, parsed.error.code ?? `HTTP_${response.status}`, parsed.error.message, parsed.error.issues ?? [], retryAfterSeconds)
    }
  } catch {
    // not our error shape: a proxy's page, say; fall through
  }
  return new ApiError(response.status, `HTTP_${response.status}`, `${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`)
}
