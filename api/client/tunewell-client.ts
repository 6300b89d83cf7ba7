import type { BestView } from '../schemas/best.ts'
import type { ExperimentResource, ExperimentSummary } from '../schemas/experiment.ts'
import type { Issue } from '../schemas/common.ts'
import type { TrialView } from '../schemas/trial.ts'
import { ApiError, apiFetch, apiRequest, type ApiConnection } from './api-request.ts'

/** One page of a keyset-paginated list; `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: T[]
  readonly nextCursor: string | null
}

export interface ExperimentCreated {
  readonly experiment: ExperimentResource
  /** Accepted, but probably not what was meant (as `tunewell validate` warns). */
  readonly warnings: Issue[]
}

export interface ExperimentFilter {
  /** States, e.g. `['Running', 'Created']` or `'Running,Created'`. */
  readonly status?: string | readonly string[]
  /** Case-insensitive substring of the name. */
  readonly name?: string
  /** `metadata.labels` that must all match: `{ team: 'vision' }` or `'team=vision,env=dev'`. */
  readonly label?: string | Readonly<Record<string, string>>
  readonly limit?: number
  readonly cursor?: string
}

export interface TrialFilter {
  readonly sort?: 'objective' | 'number' | 'createdAt'
  readonly order?: 'asc' | 'desc'
  /** States, e.g. `['Running', 'Pending']` or `'Running,Pending'`. */
  readonly state?: string | readonly string[]
  readonly limit?: number
  readonly cursor?: string
}

/** The three counts Katib lets change on an existing experiment. */
export interface ExperimentPatch {
  readonly spec: {
    readonly parallelTrialCount?: number
    readonly maxTrialCount?: number
    readonly maxFailedTrialCount?: number
  }
}

export interface FollowOptions {
  /** Start with the last `tail` lines instead of the whole log. */
  readonly tail?: number
  /** Stops following (the iteration then ends quietly). */
  readonly signal?: AbortSignal
}

/** setTimeout's largest delay: a followed log stays open as long as its trial runs. */
const FOLLOW_TIMEOUT_MS = 2 ** 31 - 1

/**
 * A typed client of the `tunewell serve` API (docs/api.md), for the CLI's server commands and
 * for scripts. Every method rejects with an ApiError carrying the server's status, code and
 * issues; an unreachable server is status 0, code UNREACHABLE. Only types come from the server's
 * code, so the api/client folder can be copied into a trial program on its own.
 */
export class TunewellClient {
  readonly connection: ApiConnection

  constructor(connection: ApiConnection) {
    this.connection = connection
  }

  /** Submits an experiment: a string is sent as YAML (issues then have line:col), anything else as JSON. */
  createExperiment(document: string | object): Promise<ExperimentCreated> {
    const body = typeof document === 'string' ? { yaml: document } : { body: document }
    return this.#request<ExperimentCreated>('POST', '/api/v1/experiments', body)
  }

  listExperiments(filter: ExperimentFilter = {}): Promise<Page<ExperimentSummary>> {
    const label = typeof filter.label === 'object' && filter.label !== null
      ? Object.entries(filter.label).map(([k, v]) => `${k}=${v}`).join(',')
      : filter.label
    return this.#request('GET', `/api/v1/experiments${query({
      status: list(filter.status), name: filter.name, label, limit: filter.limit, cursor: filter.cursor,
    })}`)
  }

  /** Every experiment the filter matches, page after page (newest first). */
  async *allExperiments(filter: Omit<ExperimentFilter, 'cursor'> = {}): AsyncGenerator<ExperimentSummary> {
    let cursor: string | null | undefined
    do {
      const page = await this.listExperiments({ ...filter, ...(cursor ? { cursor } : {}) })
      yield* page.items
      cursor = page.nextCursor
    } while (cursor)
  }

  getExperiment(name: string): Promise<ExperimentResource> {
    return this.#request('GET', experimentPath(name))
  }

  patchExperiment(name: string, patch: ExperimentPatch): Promise<ExperimentResource> {
    return this.#request('PATCH', experimentPath(name), { body: patch })
  }

  stopExperiment(name: string): Promise<ExperimentResource> {
    return this.#request('POST', `${experimentPath(name)}:stop`)
  }

  resumeExperiment(name: string): Promise<ExperimentResource> {
    return this.#request('POST', `${experimentPath(name)}:resume`)
  }

  /** Parameter sets for the next trials, before the algorithm's suggestions (values may be numbers or their text). */
  enqueueTrials(name: string, params: readonly Readonly<Record<string, number | string>>[]): Promise<{ queued: number }> {
    return this.#request('POST', `${experimentPath(name)}/trials:enqueue`, { body: { params } })
  }

  /** Stops it, waits for its trial processes, and deletes it with its trials (not their logs). */
  deleteExperiment(name: string): Promise<void> {
    return this.#request('DELETE', experimentPath(name))
  }

  listTrials(experiment: string, filter: TrialFilter = {}): Promise<Page<TrialView>> {
    return this.#request('GET', `${experimentPath(experiment)}/trials${query({
      sort: filter.sort, order: filter.order, state: list(filter.state), limit: filter.limit, cursor: filter.cursor,
    })}`)
  }

  /** Every trial the filter matches, in its order, page after page. */
  async *allTrials(experiment: string, filter: Omit<TrialFilter, 'cursor'> = {}): AsyncGenerator<TrialView> {
    let cursor: string | null | undefined
    do {
      const page = await this.listTrials(experiment, { ...filter, ...(cursor ? { cursor } : {}) })
      yield* page.items
      cursor = page.nextCursor
    } while (cursor)
  }

  /** The Pareto front of a multi-objective experiment, else its best trial (GET .../best). */
  getBest(name: string): Promise<BestView> {
    return this.#request('GET', `${experimentPath(name)}/best`)
  }

  getTrial(experiment: string, trial: string): Promise<TrialView> {
    return this.#request('GET', trialPath(experiment, trial))
  }

  killTrial(experiment: string, trial: string): Promise<TrialView> {
    return this.#request('POST', `${trialPath(experiment, trial)}:kill`)
  }

  /**
   * Every trial as a file (`trials:export`): CSV (RFC 4180) or `{experiment, columns, trials}`
   * JSON, as its bytes arrive, so a large experiment is never held in memory whole.
   */
  async *exportTrials(experiment: string, format: 'csv' | 'json' = 'csv'): AsyncGenerator<Uint8Array> {
    const connection = { ...this.connection, timeoutMs: FOLLOW_TIMEOUT_MS }
    const response = await apiFetch(connection, { method: 'GET', path: `${experimentPath(experiment)}/trials:export${query({ format })}`, headers: { accept: '*/*' } })
    if (!response.body) return
    try {
      yield* response.body as unknown as AsyncIterable<Uint8Array>
    } catch (error) {
      throw new ApiError(0, 'UNREACHABLE', `the connection to ${this.connection.server} was lost during the export: ${(error as Error).message}`)
    }
  }

  /** The trial's combined stdout and stderr so far, whole or its last `tail` lines. */
  async trialLogs(experiment: string, trial: string, options: { readonly tail?: number } = {}): Promise<string> {
    const response = await apiFetch(this.connection, {
      method: 'GET', path: `${trialPath(experiment, trial)}/logs${query({ tail: options.tail })}`, headers: { accept: 'text/plain' },
    })
    return response.text()
  }

  /**
   * The trial's output as it is written, chunk by chunk (text, split anywhere, multi-byte
   * characters kept whole): the log so far (or its tail), then what is appended, until the trial
   * has ended and everything was sent. Waits for a trial that has not started yet.
   */
  async *followTrialLogs(experiment: string, trial: string, options: FollowOptions = {}): AsyncGenerator<string> {
    const path = `${trialPath(experiment, trial)}/logs${query({ tail: options.tail, follow: true })}`
    const connection = { ...this.connection, timeoutMs: FOLLOW_TIMEOUT_MS }
    const response = await apiFetch(connection, { method: 'GET', path, headers: { accept: 'text/plain' }, ...(options.signal ? { signal: options.signal } : {}) })
    if (!response.body) return
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true })
        if (text !== '') yield text
      }
    } catch (error) {
      if (options.signal?.aborted) return
      throw new ApiError(0, 'UNREACHABLE', `the connection to ${this.connection.server} was lost while following the log: ${(error as Error).message}`)
    }
    const rest = decoder.decode()
    if (rest !== '') yield rest
  }

  #request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: { yaml?: string; body?: unknown } = {}): Promise<T> {
    return apiRequest<T>(this.connection, { method, path, ...body })
  }
}

const experimentPath = (name: string) => `/api/v1/experiments/${encodeURIComponent(name)}`
const trialPath = (experiment: string, trial: string) => `${experimentPath(experiment)}/trials/${encodeURIComponent(trial)}`

function list(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value.join(',')
}

function query(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}
