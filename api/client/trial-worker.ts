/**
 * The ask/tell client for trial programs run outside the server (docs/api.md, "Ask/tell"):
 *
 *   const worker = new TrialWorker({ server: 'http://127.0.0.1:8080' }, 'my-experiment')
 *   for (let trial; (trial = await worker.next()); ) {
 *     const { shouldStop } = await trial.report([{ metric: 'loss', step: 0, value: 0.9 }])
 *     await trial.tell(0.42)
 *   }
 *
 * Like api-request.ts it uses only `fetch` and imports nothing of the server but types, so a
 * trial program can copy this folder.
 */
import { randomUUID } from 'node:crypto'
import type { AskedTrialView, PushAnswerView, ShouldStopView } from '../schemas/ask-tell.ts'
import type { TrialView } from '../schemas/trial.ts'
import { ApiError, apiRequest, type ApiConnection } from './api-request.ts'

export type ParamValue = number | string | boolean
/** A value to report; NaN and ±Infinity are sent as the strings JSON lacks. */
export type MetricValue = number

export interface MetricPointInput {
  readonly metric: string
  readonly step: number
  readonly value: MetricValue
}

export interface TrialWorkerOptions {
  /** Shown on the trial; default `pid <pid>`. */
  readonly worker?: string
  /** Send heartbeats in the background while a trial runs; default true. */
  readonly autoHeartbeat?: boolean
  /** How often asks are retried on a network error or a 503 before giving up; default 5. */
  readonly retries?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const encodeValue = (v: number): number | string => (Number.isFinite(v) ? v : String(v))

/** Hands out trials of one experiment. */
export class TrialWorker {
  readonly #connection: ApiConnection
  readonly #experiment: string
  readonly #options: TrialWorkerOptions

  constructor(connection: ApiConnection, experiment: string, options: TrialWorkerOptions = {}) {
    this.#connection = connection
    this.#experiment = experiment
    this.#options = options
  }

  /**
   * One ask. The idempotency key makes retries after a lost answer safe: the same trial comes
   * back, nothing new is created. Rejects with ApiError: EXPERIMENT_COMPLETED, or
   * NO_TRIAL_AVAILABLE (see retryAfterSeconds) while every slot is taken.
   */
  async ask(idempotencyKey: string = randomUUID()): Promise<Trial> {
    const body = { idempotencyKey, worker: this.#options.worker ?? `pid ${process.pid}` }
    const path = `/api/v1/experiments/${encodeURIComponent(this.#experiment)}/trials:ask`
    const retries = this.#options.retries ?? 5
    for (let attempt = 0; ; attempt++) {
      try {
        const asked = await apiRequest<AskedTrialView>(this.#connection, { method: 'POST', path, body })
        return new Trial(this.#connection, asked, this.#options.autoHeartbeat ?? true)
      } catch (error) {
        const transient = error instanceof ApiError && (error.status === 0 || error.status === 503)
        if (!transient || attempt >= retries) throw error
        await sleep(Math.min(200 * 2 ** attempt, 5000))
      }
    }
  }

  /**
   * The next trial to run, waiting (as Retry-After says) while none is available; undefined
   * once the experiment is completed.
   */
  async next(signal?: AbortSignal): Promise<Trial | undefined> {
    for (;;) {
      try {
        return await this.ask()
      } catch (error) {
        if (error instanceof ApiError && error.code === 'EXPERIMENT_COMPLETED') return undefined
        if (!(error instanceof ApiError && error.code === 'NO_TRIAL_AVAILABLE') || signal?.aborted) throw error
        await sleep((error.retryAfterSeconds ?? 1) * 1000)
      }
    }
  }
}

/** One trial handed to this worker: its parameters, and the calls that report on it. */
export class Trial {
  readonly experiment: string
  readonly name: string
  readonly number: number
  readonly params: Readonly<Record<string, ParamValue>>
  /** 1, or more when the trial was handed out again after another worker went silent. */
  readonly attempt: number
  /** Running for a fresh ask; a retried ask may return a trial that already ended. */
  readonly state: string
  readonly heartbeatTimeoutSeconds: number
  readonly #connection: ApiConnection
  #timer: ReturnType<typeof setInterval> | undefined
  #stop: ShouldStopView = { shouldStop: false }

  constructor(connection: ApiConnection, asked: AskedTrialView, autoHeartbeat: boolean) {
    this.#connection = connection
    this.experiment = asked.experiment
    this.name = asked.name
    this.number = asked.number
    this.params = asked.params
    this.attempt = asked.attempt
    this.state = asked.state
    this.heartbeatTimeoutSeconds = asked.heartbeatTimeoutSeconds
    if (autoHeartbeat && asked.state === 'Running') {
      // A third of the timeout: two beats may be lost before the server gives the trial away.
      this.#timer = setInterval(() => {
        this.heartbeat().catch(() => {})
      }, Math.max(100, (asked.heartbeatTimeoutSeconds * 1000) / 3))
      this.#timer.unref()
    }
  }

  /** What the last heartbeat or report said: true once the trial should stop (killed, experiment over, handed away). */
  get shouldStop(): boolean {
    return this.#stop.shouldStop
  }

  get stopReason(): string | undefined {
    return this.#stop.reason
  }

  /** Intermediate values; resending a batch is harmless. Counts as a heartbeat. */
  async report(points: readonly MetricPointInput[]): Promise<PushAnswerView> {
    const answer = await apiRequest<PushAnswerView>(this.#connection, {
      method: 'POST',
      path: `${this.#base()}/observations`,
      body: { attempt: this.attempt, points: points.map((p) => ({ metric: p.metric, step: p.step, value: encodeValue(p.value) })) },
    })
    this.#note(answer)
    return answer
  }

  async heartbeat(): Promise<ShouldStopView> {
    const answer = await apiRequest<ShouldStopView>(this.#connection, { method: 'POST', path: `${this.#base()}:heartbeat`, body: { attempt: this.attempt } })
    this.#note(answer)
    return answer
  }

  /** The final objective value, or final values by metric name; the trial ends Succeeded (or MetricsUnavailable without its objective). */
  async tell(result: MetricValue | Readonly<Record<string, MetricValue>>, message?: string): Promise<TrialView> {
    const body = typeof result === 'number'
      ? { value: encodeValue(result) }
      : { values: Object.fromEntries(Object.entries(result).map(([k, v]) => [k, encodeValue(v)])) }
    return this.#end({ ...body, state: 'Succeeded', ...(message !== undefined ? { message } : {}) })
  }

  /** The trial failed (counts towards maxFailedTrialCount). */
  async fail(message: string): Promise<TrialView> {
    return this.#end({ state: 'Failed', message })
  }

  /** Stops the background heartbeat without telling anything (the trial goes stale and is handed out again). */
  abandon(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #end(body: Record<string, unknown>): Promise<TrialView> {
    this.abandon()
    return apiRequest<TrialView>(this.#connection, { method: 'POST', path: `${this.#base()}:tell`, body: { ...body, attempt: this.attempt } })
  }

  #note(answer: ShouldStopView): void {
    if (answer.shouldStop) {
      this.#stop = answer
      this.abandon()
    }
  }

  #base(): string {
    return `/api/v1/experiments/${encodeURIComponent(this.experiment)}/trials/${encodeURIComponent(this.name)}`
  }
}
