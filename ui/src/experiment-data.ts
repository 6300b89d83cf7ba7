import { batch, signal } from '@preact/signals'
import { api } from './api-client.ts'
import { ApiError } from './api-error.ts'
import type { ExperimentResource } from './api-types.ts'
import { openEventStream } from './event-stream.ts'
import { rowFromView, rowsFromColumns, type TrialRow } from './trial-row.ts'

const PAGE = 1000
const POLL_MS = 2000
const ACTIVE_STATES = 'Pending,Running'
const isActive = (t: TrialRow) => t.state === 'Pending' || t.state === 'Running'

/**
 * Everything the experiment page shows, kept current without reloading: the resource, and every
 * trial, read at once as columns (`trials:columns`: 10,000 trials in one compressed answer of
 * about 150 KB, where pages of full trial objects took ten requests and seconds). Updates come
 * from the experiment's event stream when the server has one; each event (or each 2 s poll
 * without it) triggers a refresh that reads only what can have changed: the resource, the
 * Pending/Running trials, those that just left that set, and the trials it does not know yet.
 */
export class ExperimentData {
  readonly experiment = signal<ExperimentResource | undefined>(undefined)
  readonly error = signal<ApiError | undefined>(undefined)
  /** Sorted by number. */
  readonly trials = signal<readonly TrialRow[]>([])
  readonly allLoaded = signal(false)
  readonly deleted = signal(false)
  readonly live = signal<'connecting' | 'stream' | 'polling'>('connecting')

  readonly #name: string
  readonly #index = new Map<string, number>()
  #stopped = false
  #refreshing: Promise<void> | undefined
  #again = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #closeStream: (() => void) | undefined

  constructor(name: string) {
    this.#name = name
  }

  start(): void {
    void this.#loadAll()
    this.#closeStream = openEventStream(`/api/v1/experiments/${encodeURIComponent(this.#name)}/events`, {
      onOpen: () => {
        this.live.value = 'stream'
        this.refresh()
      },
      onEvent: () => this.#soon(),
      onUnsupported: () => {
        this.live.value = 'polling'
        this.#poll()
      },
    })
  }

  stop(): void {
    this.#stopped = true
    this.#closeStream?.()
    clearTimeout(this.#timer)
  }

  /** Reads what may have changed; calls during a refresh coalesce into one more. */
  refresh(): void {
    if (this.#refreshing) {
      this.#again = true
      return
    }
    this.#refreshing = this.#refreshOnce()
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#refreshing = undefined
        if (this.#again && !this.#stopped) {
          this.#again = false
          this.refresh()
        }
      })
  }

  #soonTimer: ReturnType<typeof setTimeout> | undefined
  /** Events come in bursts (a trial ends, its successor is created and starts): one refresh per burst. */
  #soon(): void {
    if (this.#soonTimer) return
    this.#soonTimer = setTimeout(() => {
      this.#soonTimer = undefined
      this.refresh()
    }, 250)
  }

  #poll(): void {
    if (this.#stopped) return
    this.refresh()
    // A finished experiment changes rarely (a resume, a patch): slower polling is enough.
    const state = this.experiment.value?.status.state
    const done = state === 'Succeeded' || state === 'Failed'
    this.#timer = setTimeout(() => this.#poll(), done ? POLL_MS * 5 : POLL_MS)
  }

  async #loadAll(): Promise<void> {
    try {
      // Both at once: the header shows as soon as the resource is in, the charts when the columns are.
      const columns = api.trialColumns(this.#name)
      columns.catch(() => undefined)
      this.experiment.value = await api.getExperiment(this.#name)
      const rows = rowsFromColumns(await columns)
      if (this.#stopped) return
      batch(() => {
        this.#merge(rows)
        this.allLoaded.value = true
      })
      // Trials may have changed between the two reads and a refresh that ran meanwhile.
      this.refresh()
    } catch (error) {
      this.#fail(error)
    }
  }

  async #refreshOnce(): Promise<void> {
    if (this.#stopped || this.deleted.value) return
    const experiment = await api.getExperiment(this.#name)
    const wasActive = this.trials.value.filter(isActive).map((t) => t.name)
    const active = await api.listTrials(this.#name, { state: ACTIVE_STATES, limit: PAGE })
    const stillActive = new Set(active.items.map((t) => t.name))
    const ended = await Promise.all(wasActive.filter((name) => !stillActive.has(name)).map((name) => api.getTrial(this.#name, name)))
    const updates = [...active.items, ...ended].map(rowFromView)
    if (this.allLoaded.value && experiment.status.trials > this.trials.value.length) updates.push(...await this.#missingTrials(experiment.status.trials, updates))
    if (this.#stopped) return
    batch(() => {
      this.experiment.value = experiment
      this.error.value = undefined
      this.#merge(updates)
    })
  }

  /**
   * The trials not known yet, newest first, until as many are known as the experiment has. Not
   * only those numbered above the last one known: the first full read and a refresh that ran
   * meanwhile can leave a hole (the columns were read before trial 5 was created, the refresh
   * after it had already ended, so neither saw it) that stays below later trials.
   */
  async #missingTrials(total: number, pending: readonly TrialRow[]): Promise<TrialRow[]> {
    const known = new Set(this.#index.keys())
    for (const t of pending) known.add(t.name)
    const found: TrialRow[] = []
    let cursor: string | undefined
    for (;;) {
      const page = await api.listTrials(this.#name, { sort: 'number', order: 'desc', limit: PAGE, ...(cursor ? { cursor } : {}) })
      for (const t of page.items) {
        if (known.has(t.name)) continue
        known.add(t.name)
        found.push(rowFromView(t))
      }
      if (!page.nextCursor || known.size >= total) return found
      cursor = page.nextCursor
    }
  }

  #merge(items: readonly TrialRow[]): void {
    if (items.length === 0) return
    const next = [...this.trials.value]
    let unsorted = false
    for (const trial of items) {
      const at = this.#index.get(trial.name)
      if (at !== undefined) {
        next[at] = trial
      } else {
        if (next.length > 0 && next[next.length - 1]!.number > trial.number) unsorted = true
        this.#index.set(trial.name, next.length)
        next.push(trial)
      }
    }
    if (unsorted) {
      next.sort((a, b) => a.number - b.number)
      this.#index.clear()
      next.forEach((t, i) => this.#index.set(t.name, i))
    }
    this.trials.value = next
  }

  #fail(error: unknown): void {
    if (error instanceof ApiError && error.code === 'EXPERIMENT_NOT_FOUND') {
      this.deleted.value = true
      this.stop()
    }
    this.error.value = error instanceof ApiError ? error : new ApiError(0, 'CLIENT', String(error))
  }
}
