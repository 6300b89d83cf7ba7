import { randomUUID } from 'node:crypto'
import { readlinkSync } from 'node:fs'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { fencedStore } from '../db/fenced-store.ts'
import { LeaseLostError } from '../db/lease-lost-error.ts'
import type { LeaseFence, LeaseHolder, LeaseRecord, Store } from '../db/store.ts'
import { isSameProcessAlive, processStartTime } from './process-identity.ts'

/**
 * How long a lease lasts without renewal: how long a controller that died without releasing it
 * (kill -9, a lost node) blocks the next. With renewal every third of it, a holder whose
 * renewals stall (a database hiccup, a GC or VM pause) for more than about two thirds of it
 * (6.7 s) loses its experiments to a waiting replica, which then re-attaches to the trials;
 * 10 s keeps a takeover under 15 s (expiry + the supervisor's 1 s poll + the re-attach) at that
 * price. See docs/reliability.md, "One controller per experiment", for the trade-off.
 */
export const DEFAULT_LEASE_TTL_MS = 10_000
export const LEASE_TTL_ENV = 'TUNEWELL_LEASE_TTL_SECONDS'

export const LEASE_TTL_USAGE = `${LEASE_TTL_ENV} must be a number of seconds from 0.5 to 3600 (default 10)`

/**
 * The name a controller's leases carry as its host. Default: the host name (in a pod, the pod's
 * name). Controllers with different names never judge each other's processes (isHolderGone), so
 * a dead one's lease is waited out until it expires; tests give two processes of one machine
 * different names to exercise that path.
 */
export const CONTROLLER_ID_ENV = 'TUNEWELL_CONTROLLER_ID'

/** TUNEWELL_LEASE_TTL_SECONDS in ms, DEFAULT_LEASE_TTL_MS when unset; undefined when malformed (say LEASE_TTL_USAGE). */
export function leaseTtlFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env[LEASE_TTL_ENV]?.trim()
  if (!raw) return DEFAULT_LEASE_TTL_MS
  const seconds = Number(raw)
  if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 3600) return undefined
  return Math.round(seconds * 1000)
}

/** This process as a lease holder: host, pid, the pid's start time and pid namespace, and its command. */
export function thisController(command: string): LeaseHolder {
  const startTime = processStartTime(process.pid)
  const pidNamespace = readPidNamespace()
  return { host: process.env[CONTROLLER_ID_ENV]?.trim() || hostname(), pid: process.pid, ...(startTime ? { startTime } : {}), ...(pidNamespace ? { pidNamespace } : {}), command }
}

/**
 * Whether a holder's process is known to be gone, so its lease can be taken at once instead of
 * after expiry (a `run` killed with -9 and run again). Only a holder on this machine, in this pid
 * namespace, can be judged: one elsewhere may be alive, and its lease must expire first.
 */
export function isHolderGone(holder: LeaseHolder, self: LeaseHolder = thisController('')): boolean {
  if (holder.host !== self.host || holder.pidNamespace !== self.pidNamespace) return false
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false
  return !isSameProcessAlive(holder.pid, holder.startTime)
}

export interface ExperimentLeaseOptions {
  readonly store: Store
  readonly experimentId: string
  /** `run` or `serve`: how other controllers name this one. */
  readonly command: string
  /** Default DEFAULT_LEASE_TTL_MS; renewed every third of it. */
  readonly ttlMs?: number
  /** Where other replicas forward pushed metrics of this experiment's trials (PushHub.internalUrl); kept in the lease's holder. */
  readonly pushUrl?: string
}

/** What an attempt found: the lease, now ours, or the lease of the controller that holds it. */
export type LeaseAttempt = { readonly lease: ExperimentLease } | { readonly heldBy: LeaseRecord }

/**
 * This controller's hold on one experiment (see docs/reliability.md, "One controller per
 * experiment"). While held, the controller writes only through `store`, which the database
 * refuses once another controller has the lease (db/fenced-store.ts); the lease is renewed
 * every third of its time to live. A renewal that fails because the database is away changes
 * nothing: the trials keep running, and once the database answers the lease is either still
 * ours (nobody could take it meanwhile without the database) or another's, and then `lost`
 * fires and the controller stops.
 */
export class ExperimentLease {
  readonly fence: LeaseFence
  /** The store to write through while holding the lease. */
  readonly store: Store
  readonly #store: Store
  readonly #ttlMs: number
  readonly #lost = new AbortController()
  #timer: NodeJS.Timeout | undefined
  #released = false

  private constructor(store: Store, lease: LeaseRecord, ttlMs: number) {
    this.#store = store
    this.#ttlMs = ttlMs
    this.fence = { experimentId: lease.experimentId, holderId: lease.holderId, epoch: lease.epoch, ttlMs }
    this.store = fencedStore(store, this.fence, () => this.renew())
    this.#schedule()
  }

  /** One attempt: takes the lease if it is free, expired, or held by a process of this machine that is gone. */
  static async acquire(options: ExperimentLeaseOptions, within?: Store): Promise<LeaseAttempt> {
    const store = within ?? options.store
    const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS
    const self: LeaseHolder = { ...thisController(options.command), ...(options.pushUrl ? { pushUrl: options.pushUrl } : {}) }
    const holderId = randomUUID()
    let attempt = await store.leases.acquire(options.experimentId, holderId, self, ttlMs)
    if (!attempt.acquired && isHolderGone(attempt.lease.holder, self)) {
      const { holderId: dead, epoch } = attempt.lease
      attempt = await store.leases.acquire(options.experimentId, holderId, self, ttlMs, { holderId: dead, epoch })
    }
    if (!attempt.acquired) return { heldBy: attempt.lease }
    return { lease: new ExperimentLease(options.store, attempt.lease, ttlMs) }
  }

  /**
   * Acquires, waiting while another controller holds it: `onWait` hears of each new holder.
   * Resolves undefined when `signal` aborts first.
   */
  static async waitFor(
    options: ExperimentLeaseOptions,
    onWait: (heldBy: LeaseRecord) => void,
    signal?: AbortSignal,
  ): Promise<ExperimentLease | undefined> {
    let told: string | undefined
    while (!signal?.aborted) {
      const attempt = await ExperimentLease.acquire(options)
      if ('lease' in attempt) return attempt.lease
      const key = `${attempt.heldBy.holderId}/${attempt.heldBy.epoch}`
      if (key !== told) onWait(attempt.heldBy)
      told = key
      const pollMs = Math.min(1000, (options.ttlMs ?? DEFAULT_LEASE_TTL_MS) / 4)
      await sleep(Math.max(50, Math.min(pollMs, attempt.heldBy.remainingMs + 10)), undefined, { signal }).catch(() => undefined)
    }
    return undefined
  }

  /** Aborts once another controller has taken the lease; its reason is the LeaseLostError. */
  get lost(): AbortSignal {
    return this.#lost.signal
  }

  /**
   * Extends the lease now. Resolves false once another controller holds it (and `lost` fires);
   * throws when the database cannot be reached, which says nothing about who holds it.
   */
  async renew(): Promise<boolean> {
    if (this.#lost.signal.aborted) return false
    const renewed = await this.#store.leases.renew(this.fence, this.#ttlMs)
    if (renewed) return true
    if (!this.#lost.signal.aborted) {
      this.#lost.abort(new LeaseLostError(this.fence, await this.#store.leases.get(this.fence.experimentId).catch(() => undefined)))
      this.#stopTimer()
    }
    return false
  }

  /**
   * Stops renewing and lets the lease go, so the next controller need not wait for expiry.
   * Resolves whether it was still ours; never throws (a database that is away lets it expire).
   */
  async release(): Promise<boolean> {
    if (this.#released) return false
    this.#released = true
    this.#stopTimer()
    if (this.#lost.signal.aborted) return false
    return this.#store.leases.release(this.fence).catch(() => false)
  }

  #schedule(): void {
    // Unref'd: a forgotten release must not keep the process alive.
    this.#timer = setTimeout(() => {
      this.renew()
        .catch(() => undefined) // the database is away: try again next time, the lease may well still be ours
        .finally(() => {
          if (!this.#released && !this.#lost.signal.aborted) this.#schedule()
        })
    }, this.#ttlMs / 3).unref()
  }

  #stopTimer(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}

function readPidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid')
  } catch {
    return undefined
  }
}
