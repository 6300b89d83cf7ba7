import { signal } from '@preact/signals'
import { ApiError } from './api-error.ts'
import type {
  ErrorBody, ExperimentObservations, Importance, TrialColumns, ExperimentResource, ExperimentSummary, ExperimentValidation, Page, TrialObservations, TrialView,
} from './api-types.ts'
import { token } from './token.ts'

/** Set when the API answered 401: the page shows the token prompt. */
export const authRequired = signal(false)

interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  readonly json?: unknown
  readonly yaml?: string
  readonly signal?: AbortSignal
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** The raw answer of a successful call; every failure becomes an ApiError. */
export async function apiFetch(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  const current = token.value
  if (current) headers.authorization = `Bearer ${current}`
  let body: string | undefined
  if (options.yaml !== undefined) {
    headers['content-type'] = 'application/yaml'
    body = options.yaml
  } else if (options.json !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json'
    body = JSON.stringify(options.json)
  }
  let response: Response
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body, signal: options.signal ?? null })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, 'UNREACHABLE', 'the server cannot be reached; is `tunewell serve` still running?')
  }
  if (response.ok) return response
  if (response.status === 401) authRequired.value = true
  let parsed: ErrorBody | undefined
  try {
    parsed = (await response.json()) as ErrorBody
  } catch {
    // Not our error shape (a proxy in between?): the status says enough.
  }
  const error = parsed?.error
  throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.issues ?? [])
}

async function json<T>(path: string, options?: RequestOptions): Promise<T> {
  const response = await apiFetch(path, options)
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

const enc = encodeURIComponent
const experimentPath = (name: string) => `/api/v1/experiments/${enc(name)}`
const trialPath = (experiment: string, trial: string) => `${experimentPath(experiment)}/trials/${enc(trial)}`

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value))
  const text = search.toString()
  return text ? `?${text}` : ''
}

export interface TrialPageQuery {
  readonly sort?: 'number' | 'objective' | 'createdAt'
  readonly order?: 'asc' | 'desc'
  readonly state?: string
  readonly limit?: number
  readonly cursor?: string
}

/** Every call the dashboard makes, typed by the API's own schemas. */
export const api = {
  listExperiments: (q: { status?: string; name?: string; limit?: number; cursor?: string }, signal?: AbortSignal) =>
    json<Page<ExperimentSummary>>(`/api/v1/experiments${query(q)}`, { signal }),
  getExperiment: (name: string, signal?: AbortSignal) => json<ExperimentResource>(experimentPath(name), { signal }),
  createExperiment: (yaml: string) => json<{ experiment: ExperimentResource; warnings: unknown[] }>('/api/v1/experiments', { method: 'POST', yaml }),
  validateExperiment: (yaml: string, signal?: AbortSignal) =>
    json<ExperimentValidation>('/api/v1/experiments:validate', { method: 'POST', yaml, signal }),
  patchExperiment: (name: string, spec: { parallelTrialCount?: number; maxTrialCount?: number; maxFailedTrialCount?: number }) =>
    json<ExperimentResource>(experimentPath(name), { method: 'PATCH', json: { spec }, contentType: 'application/merge-patch+json' }),
  stopExperiment: (name: string) => json<ExperimentResource>(`${experimentPath(name)}:stop`, { method: 'POST' }),
  resumeExperiment: (name: string) => json<ExperimentResource>(`${experimentPath(name)}:resume`, { method: 'POST' }),
  extendExperiment: (name: string, trials: number) => json<ExperimentResource>(`${experimentPath(name)}:extend`, { method: 'POST', json: { trials } }),
  deleteExperiment: (name: string) => json<void>(experimentPath(name), { method: 'DELETE' }),
  listTrials: (experiment: string, q: TrialPageQuery, signal?: AbortSignal) =>
    json<Page<TrialView>>(`${experimentPath(experiment)}/trials${query({ ...q })}`, { signal }),
  trialColumns: (experiment: string, signal?: AbortSignal) => json<TrialColumns>(`${experimentPath(experiment)}/trials:columns`, { signal }),
  importance: (experiment: string, signal?: AbortSignal) => json<Importance>(`${experimentPath(experiment)}/importance`, { signal }),
  getTrial: (experiment: string, trial: string, signal?: AbortSignal) => json<TrialView>(trialPath(experiment, trial), { signal }),
  killTrial: (experiment: string, trial: string) => json<TrialView>(`${trialPath(experiment, trial)}:kill`, { method: 'POST' }),
  trialLogTail: async (experiment: string, trial: string, lines: number, signal?: AbortSignal) =>
    (await apiFetch(`${trialPath(experiment, trial)}/logs${query({ tail: lines })}`, { signal })).text(),
  trialObservations: (experiment: string, trial: string, q: { metric?: string; maxPoints?: number }, signal?: AbortSignal) =>
    json<TrialObservations>(`${trialPath(experiment, trial)}/observations${query(q)}`, { signal }),
  experimentObservations: (experiment: string, q: { metric?: string; maxPointsPerTrial?: number; sort?: 'number' | 'objective'; state?: string; limit?: number; cursor?: string }, signal?: AbortSignal) =>
    json<ExperimentObservations>(`${experimentPath(experiment)}/observations${query(q)}`, { signal }),
}
