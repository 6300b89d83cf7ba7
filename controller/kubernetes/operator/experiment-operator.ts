import type { KubeConfig } from '@kubernetes/client-node'
import type { SpecIssue } from '../../../core/errors.ts'
import type { Experiment } from '../../../core/spec/index.ts'
import type { Store } from '../../../db/store.ts'
import { WorkloadApi } from '../workload-api.ts'
import { ExperimentResourceApi } from './experiment-resource-api.ts'
import { ExperimentResourceWatch } from './experiment-resource-watch.ts'
import { ExperimentSync, type StatusWriter } from './experiment-sync.ts'
import { ResourceEvents } from './resource-events.ts'

/** How long a stop waits for the step under way. */
const STOP_WAIT_MS = 10_000

export interface ExperimentOperatorOptions {
  readonly kubeConfig: KubeConfig
  readonly store: Store
  /** The namespaces whose Experiments are run; undefined: every namespace. */
  readonly namespaces?: readonly string[]
  /** The server's admission of an experiment, as for a submission. */
  readonly admit: (experiment: Experiment) => readonly SpecIssue[]
  /** The supervisor's wake and detach. */
  readonly wake: (experimentId: string) => void
  readonly detach: (experimentId: string) => Promise<void>
  /** Katib's status on each resource (experiment-status-writer.ts). */
  readonly status: StatusWriter
  /** Whether this replica keeps an experiment's status up to date (status-duty.ts); default: every experiment. */
  readonly writesStatusOf?: (experimentId: string) => Promise<boolean>
  readonly log: { info(message: string): void; warn(message: string): void; error(message: string, error: unknown): void }
  /** How often everything is judged again, whatever the watches said (default 30 s). */
  readonly resyncMs?: number
  /** How often each owned experiment's status is written when it changed (default 1 s). */
  readonly statusMs?: number
  /** Delay before a failed list, watch or step is tried again (default 1 s). */
  readonly retryMs?: number
}

/**
 * Operator mode (`tunewell serve --executor kubernetes --watch-experiments`): Katib's
 * Experiment resources, watched in every namespace or in the ones named, kept in step with the
 * database by ExperimentSync; the supervisor then runs them like any experiment, and Katib's
 * status goes back to each resource. Edge- and level-triggered: a watch event syncs its
 * resource at once, and a periodic resync judges everything again (each step idempotent), so a
 * lost event, a failed step or a resource deleted while no controller ran is caught up. Steps
 * run one at a time, a resource's latest one replacing one not started yet.
 */
export class ExperimentOperator {
  readonly #o: ExperimentOperatorOptions
  readonly #sync: ExperimentSync
  readonly #watches: ExperimentResourceWatch[]
  readonly #pending = new Map<string, () => Promise<void>>()
  readonly #watchErrors = new Map<string, string>()
  #working: Promise<void> | undefined
  #statusLoop: Promise<void> | undefined
  #resync: NodeJS.Timeout | undefined
  #stopped = false
  #wakeStatus: (() => void) | undefined

  constructor(options: ExperimentOperatorOptions) {
    this.#o = options
    const api = new ExperimentResourceApi(options.kubeConfig)
    const events = new ResourceEvents(options.kubeConfig, (message) => options.log.warn(message))
    this.#sync = new ExperimentSync({
      store: options.store,
      admit: options.admit,
      wake: options.wake,
      detach: options.detach,
      status: options.status,
      events,
      workloads: new WorkloadApi(options.kubeConfig),
      readResource: (namespace, name) => api.read(namespace, name),
      log: options.log,
    })
    const scopes = options.namespaces ?? [undefined]
    this.#watches = scopes.map((namespace) => new ExperimentResourceWatch(options.kubeConfig, api, namespace, {
      changed: (resource) => this.#schedule(String(resource.metadata?.uid), () => this.#sync.apply(resource)),
      deleted: (ref) => this.#schedule(ref.uid, () => this.#sync.deleted(ref)),
      ready: () => {
        this.#watchErrors.delete(namespace ?? '')
        this.#resyncNow()
      },
      error: (message) => {
        const scope = namespace ?? ''
        if (this.#watchErrors.get(scope) === message) return
        this.#watchErrors.set(scope, message)
        options.log.warn(`operator: cannot list or watch Experiments ${namespace === undefined ? 'in all namespaces' : `in namespace ${namespace}`} (retrying): ${message}`)
      },
    }, options.retryMs ?? 1000))
  }

  start(): void {
    for (const watch of this.#watches) watch.start()
    const every = this.#o.resyncMs ?? 30_000
    const tick = () => {
      this.#resyncNow()
      this.#resync = setTimeout(tick, every)
    }
    this.#resync = setTimeout(tick, every)
    this.#statusLoop ??= this.#writeStatuses()
  }

  /**
   * Ends the watches and the loops once the step under way is done, or after `STOP_WAIT_MS`
   * (an API call that never gets an answer must not hold up a shutdown): every step is
   * idempotent, so one cut short is done again by the next start.
   */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#resync)
    for (const watch of this.#watches) watch.stop()
    this.#pending.clear()
    this.#wakeStatus?.()
    let timer: NodeJS.Timeout | undefined
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), STOP_WAIT_MS)
    })
    const finished = await Promise.race([Promise.all([this.#working, this.#statusLoop]).then(() => true), waited])
    clearTimeout(timer)
    if (!finished) this.#o.log.warn(`operator: a sync step or a status write was still waiting for the API server after ${STOP_WAIT_MS / 1000} s; left to the next start`)
  }

  /** Every resource of a listed watch judged again, then experiments whose resource is gone collected. */
  #resyncNow(): void {
    if (this.#stopped) return
    const ready = this.#watches.filter((w) => w.ready)
    const present = new Map<string, string>()
    for (const watch of ready) {
      for (const resource of watch.resources()) {
        const uid = String(resource.metadata?.uid)
        present.set(`${resource.metadata?.namespace}/${resource.metadata?.name}`, uid)
        // A step already waiting for it is newer than this copy.
        if (!this.#pending.has(uid)) this.#schedule(uid, () => this.#sync.apply(resource))
      }
    }
    this.#schedule('collect', () => this.#sync.collect(
      (namespace) => ready.some((w) => w.covers(namespace)),
      (namespace, name) => present.get(`${namespace}/${name}`),
    ))
  }

  #schedule(key: string, step: () => Promise<void>): void {
    if (this.#stopped) return
    this.#pending.set(key, step)
    this.#working ??= this.#drain().finally(() => {
      this.#working = undefined
      if (this.#pending.size > 0 && !this.#stopped) this.#working = this.#drain()
    })
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      const next = this.#pending.entries().next()
      if (next.done) return
      const [key, step] = next.value
      this.#pending.delete(key)
      try {
        await step()
      } catch (error) {
        // The database or the API server may be away: tried again later unless a newer step came.
        this.#o.log.error(`operator: a sync step failed (retrying)`, error)
        setTimeout(() => {
          if (!this.#pending.has(key)) this.#schedule(key, step)
        }, (this.#o.retryMs ?? 1000) * 5).unref()
      }
    }
  }

  /** Katib's status on every owned resource this replica is to keep, about once a second; the writer skips what did not change. */
  async #writeStatuses(): Promise<void> {
    while (!this.#stopped) {
      for (const owned of this.#sync.owned()) {
        if (this.#stopped) return
        if (this.#o.writesStatusOf && !(await this.#o.writesStatusOf(owned.experimentId))) continue
        await this.#o.status.write(owned.ref, owned.experimentId).catch((error: unknown) => this.#o.log.error('operator: cannot write a status', error))
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#o.statusMs ?? 1000)
        this.#wakeStatus = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }
}
