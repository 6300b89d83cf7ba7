import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node'
import type { KatibExperimentStatus } from '../../../core/spec/katib-experiment-status-schema.ts'
import type { Store } from '../../../db/store.ts'
import { kubeErrorMessage, statusCodeOf } from '../kube-error.ts'
import { isPassing } from '../retrying.ts'
import type { ExperimentResourceRef } from './experiment-resource.ts'
import { DEFAULT_TRIAL_LIST_LIMIT, katibInvalidStatus, katibStatus } from '../../../core/katib/katib-status.ts'
import { sameJson } from '../../../core/katib/same-json.ts'

const GROUP = 'kubeflow.org'
const VERSION = 'v1beta1'
const PLURAL = 'experiments'
/** Tries per write: a conflict (the resource changed) or a passing failure (5xx, 429, network) is tried again. */
const ATTEMPTS = 4

export interface ExperimentStatusWriterOptions {
  readonly kubeConfig: KubeConfig
  readonly store: Store
  /** Wait before trying a failed call again, times the attempt (default 1 s). */
  readonly retryMs?: number
  /** Names kept in each trial list of the status (default DEFAULT_TRIAL_LIST_LIMIT); the counters stay exact. */
  readonly trialListLimit?: number
  /** Where failures go (they are never thrown); default stderr. */
  readonly log?: { warn(message: string): void }
}

/** What this writer knows of one resource: its identity, its version, and the status last written (or read). */
interface Known {
  readonly uid: string
  readonly resourceVersion: string
  readonly status: KatibExperimentStatus | undefined
}

/**
 * Writes Katib's status (katib-status.ts) onto Experiment resources in operator mode, through
 * their status subresource, so `kubectl get experiments`, `kubectl wait
 * --for=condition=Succeeded` and Katib's SDK read what the database holds.
 *
 * How it writes: a JSON merge patch of `/status` carrying the changed fields only (null for a
 * field to drop) and `metadata.resourceVersion` as a precondition. The status is computed whole
 * from the database, never edited from what the server returned, so a merge patch is enough
 * (a PUT would have to send the whole object); the resourceVersion makes the server refuse it
 * (409) when the resource changed since this writer last saw it, above all when it was deleted
 * and created again under the same name, so a status never lands on another resource. On a
 * 409 it reads the resource again (a GET), ignores it if the uid differs, and writes again. A
 * metadata.uid in the patch would not do: the status strategy of custom resources copies the
 * stored metadata over the patched object, so a wrong uid there is silently dropped.
 *
 * It calls the API only when the status differs from the one it last wrote for that uid: the
 * operator calls `write` every second for every experiment it owns. Writes for one resource run
 * one at a time; calls made while one runs fold into a single next one. Errors (the API's or the
 * database's) are logged and never thrown: the next call tries again.
 */
export class ExperimentStatusWriter {
  readonly #api: CustomObjectsApi
  readonly #store: Store
  readonly #retryMs: number
  readonly #limit: number
  readonly #log: { warn(message: string): void }
  readonly #known = new Map<string, Known>()
  /** Per resource: the write running now, and the one queued behind it (at most one: it reads the database when it starts). */
  readonly #queues = new Map<string, { tail: Promise<void>; queued?: { promise: Promise<void>; run: () => Promise<void> } }>()

  constructor(options: ExperimentStatusWriterOptions) {
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi)
    this.#store = options.store
    this.#retryMs = options.retryMs ?? 1000
    this.#limit = options.trialListLimit ?? DEFAULT_TRIAL_LIST_LIMIT
    this.#log = options.log ?? { warn: (message) => process.stderr.write(`${message}\n`) }
  }

  /**
   * Reads the experiment (and its trials) from the store and writes Katib's status to the
   * resource's status subresource when it differs from what is there; conflicts retried, a
   * resource gone (404) or with another uid ignored; never throws.
   */
  write(resource: ExperimentResourceRef, experimentId: string): Promise<void> {
    return this.#enqueue(resource, async () => {
      const record = await this.#store.experiments.get(experimentId)
      if (!record) return
      const [counts, names, best] = await Promise.all([
        this.#store.trials.countByState(experimentId),
        this.#store.trials.recentNamesByState(experimentId, this.#limit),
        record.bestTrialId ? this.#store.trials.get(record.bestTrialId) : undefined,
      ])
      await this.#apply(resource, (previous, now) => katibStatus({
        experiment: record, counts, names, ...(best ? { best } : {}), ...(previous ? { previous } : {}), now, limit: this.#limit,
      }))
    })
  }

  /**
   * An invalid or unrunnable resource: a Failed condition (reason ExperimentInvalid) whose
   * message lists every problem (path: message), Created True, and nothing else touched.
   */
  writeInvalid(resource: ExperimentResourceRef, problems: readonly string[]): Promise<void> {
    return this.#enqueue(resource, () => this.#apply(resource, (previous, now) => katibInvalidStatus(problems, previous, now)))
  }

  /** Drops what is remembered of a resource (deleted): memory stays bounded by the live resources. */
  forget(resource: Pick<ExperimentResourceRef, 'namespace' | 'name'>): void {
    this.#known.delete(keyOf(resource))
  }

  #enqueue(resource: ExperimentResourceRef, work: () => Promise<void>): Promise<void> {
    const key = keyOf(resource)
    const guarded = async () => {
      try {
        await work()
      } catch (error) {
        this.#log.warn(`cannot write the status of Experiment ${resource.namespace}/${resource.name}: ${describe(error)}`)
      }
    }
    const queue = this.#queues.get(key)
    if (!queue) {
      const tail = guarded().finally(() => this.#next(key))
      this.#queues.set(key, { tail })
      return tail
    }
    // The queued write has not started: it will read the database then, so it serves this call
    // too, with this call's work (the latest ref and experiment).
    if (queue.queued) {
      queue.queued.run = guarded
      return queue.queued.promise
    }
    const slot: { promise: Promise<void>; run: () => Promise<void> } = { promise: Promise.resolve(), run: guarded }
    slot.promise = queue.tail.then(() => slot.run()).finally(() => this.#next(key))
    queue.queued = slot
    return slot.promise
  }

  /** The running write ended: the queued one (if any) becomes the running one. */
  #next(key: string): void {
    const queue = this.#queues.get(key)
    if (!queue) return
    if (queue.queued) {
      queue.tail = queue.queued.promise
      delete queue.queued
    } else this.#queues.delete(key)
  }

  /** Computes the status from what the resource has and patches it when it differs; see the class comment. */
  async #apply(resource: ExperimentResourceRef, compute: (previous: KatibExperimentStatus | undefined, now: Date) => KatibExperimentStatus): Promise<void> {
    const key = keyOf(resource)
    for (let attempt = 1; ; attempt++) {
      let known = this.#known.get(key)
      if (!known || known.uid !== resource.uid) {
        known = await this.#read(resource)
        if (!known) return
      }
      const next = compute(known.status, new Date())
      if (known.status !== undefined && sameJson(next, known.status)) return
      try {
        const patched = await this.#api.patchNamespacedCustomObjectStatus(
          {
            group: GROUP, version: VERSION, namespace: resource.namespace, plural: PLURAL, name: resource.name,
            body: {
              // Without one the patch applies to whatever version is current; an empty one would ask for
              // an unconditional update, which the API server refuses for custom resources.
              ...(known.resourceVersion ? { metadata: { resourceVersion: known.resourceVersion } } : {}),
              status: mergePatchOf(known.status, next),
            },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ) as { metadata?: { uid?: string; resourceVersion?: string } }
        // What was sent, not what came back: a server that normalises a field would otherwise
        // make every later call look like a change.
        this.#known.set(key, { uid: patched.metadata?.uid ?? known.uid, resourceVersion: patched.metadata?.resourceVersion ?? '', status: next })
        return
      } catch (error) {
        const code = statusCodeOf(error)
        if (code === 404) {
          this.#known.delete(key)
          return
        }
        if (attempt >= ATTEMPTS) throw error
        if (code === 409) {
          this.#known.delete(key)
          continue
        }
        if (!isPassing(error)) throw error
        await new Promise((resolve) => setTimeout(resolve, this.#retryMs * attempt))
      }
    }
  }

  /** The resource as the server has it now; undefined when it is gone or is another one (other uid). */
  async #read(resource: ExperimentResourceRef): Promise<Known | undefined> {
    const key = keyOf(resource)
    for (let attempt = 1; ; attempt++) {
      try {
        const object = await this.#api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: resource.namespace, plural: PLURAL, name: resource.name }) as {
          metadata?: { uid?: string; resourceVersion?: string }
          status?: KatibExperimentStatus
        }
        if (object.metadata?.uid !== resource.uid) {
          this.#known.delete(key)
          return undefined
        }
        const known: Known = { uid: resource.uid, resourceVersion: object.metadata.resourceVersion ?? '', status: object.status }
        this.#known.set(key, known)
        return known
      } catch (error) {
        if (statusCodeOf(error) === 404) {
          this.#known.delete(key)
          return undefined
        }
        if (!isPassing(error) || attempt >= ATTEMPTS) throw error
        await new Promise((resolve) => setTimeout(resolve, this.#retryMs * attempt))
      }
    }
  }
}

const keyOf = (resource: Pick<ExperimentResourceRef, 'namespace' | 'name'>) => `${resource.namespace}/${resource.name}`

const describe = (error: unknown) => (statusCodeOf(error) !== undefined || !(error instanceof Error) ? kubeErrorMessage(error) : error.message)

/** RFC 7386: the merge patch that turns `before` into `after` (null drops a field; lists are replaced whole). */
export function mergePatchOf(before: unknown, after: unknown): unknown {
  if (!isPlainObject(before) || !isPlainObject(after)) return after
  const patch: Record<string, unknown> = {}
  for (const key of Object.keys(before)) if (before[key] !== undefined && after[key] === undefined) patch[key] = null
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined || sameJson(before[key], value)) continue
    patch[key] = isPlainObject(before[key]) && isPlainObject(value) ? mergePatchOf(before[key], value) : value
  }
  return patch
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
