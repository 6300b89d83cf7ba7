import { TunewellError } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { describeLease } from '../db/describe-lease.ts'
import type { LeaseLostError } from '../db/lease-lost-error.ts'
import type { ExperimentRecord, LeaseRecord, Store } from '../db/store.ts'
import { ExperimentLease, type ExperimentLeaseOptions } from '../controller/experiment-lease.ts'
import { experimentSeed } from '../suggestion/experiment-seed.ts'
import { seedWarmStart } from '../suggestion/seed-warm-start.ts'
import { reconcileSpecChange } from './reconcile-spec-change.ts'

export type Claim =
  | { readonly kind: 'claimed'; readonly record: ExperimentRecord; readonly lease: ExperimentLease }
  /** Another live controller runs it (and `wait` was not asked for). */
  | { readonly kind: 'held'; readonly heldBy: LeaseRecord }
  /** Interrupted while waiting for the lease. */
  | { readonly kind: 'interrupted' }

export interface ClaimOptions {
  readonly fresh: boolean
  /** Wait for the lease while another controller holds it, instead of refusing. */
  readonly wait: boolean
  readonly ttlMs: number
  readonly out: NodeJS.WritableStream
  readonly signal?: AbortSignal
}

/**
 * `tunewell run`'s hold on its experiment before it touches it: the experiment's lease, then
 * --fresh's delete or the spec change, all as its one controller. A new experiment is created
 * with its lease in one transaction, so `serve` cannot pick it up in between.
 */
export async function claimExperiment(store: Store, experiment: Experiment, options: ClaimOptions): Promise<Claim> {
  const name = experiment.metadata.name
  const leaseOptions = (experimentId: string): ExperimentLeaseOptions => ({ store, experimentId, command: 'run', ttlMs: options.ttlMs })
  for (;;) {
    const existing = await store.experiments.getByName(name)
    if (!existing) {
      const created = await createLeased(store, experiment, leaseOptions)
      if (created) return { kind: 'claimed', ...created }
      continue // created by another process at the same moment: claim that one
    }
    let lease: ExperimentLease | undefined
    try {
      if (options.wait) {
        lease = await ExperimentLease.waitFor(leaseOptions(existing.id), (heldBy) => {
          options.out.write(`waiting for experiment "${name}": ${describeLease(heldBy)}\n`)
        }, options.signal)
        if (!lease) return { kind: 'interrupted' }
      } else {
        const attempt = await ExperimentLease.acquire(leaseOptions(existing.id))
        if ('heldBy' in attempt) return { kind: 'held', heldBy: attempt.heldBy }
        lease = attempt.lease
      }
    } catch (error) {
      if (isNotFound(error)) continue // deleted meanwhile
      throw error
    }
    // As it is now: the previous holder may have changed it up to the moment it let go.
    const current = await store.experiments.get(existing.id)
    if (!current || options.fresh) {
      if (current) await store.experiments.delete(current.id) // its lease goes with it
      await lease.release()
      continue
    }
    try {
      const record = await reconcileSpecChange(lease.store, current, experiment)
      if (record.state === 'Running' || record.state === 'Restarting' || record.state === 'Created') {
        options.out.write(`resuming experiment "${name}" from the ${store.backend === 'pglite' ? 'embedded' : 'PostgreSQL'} database\n`)
      }
      return { kind: 'claimed', record, lease }
    } catch (error) {
      await lease.release()
      throw error
    }
  }
}

/** Creates the experiment and takes its lease in one transaction; undefined when the name was taken meanwhile. */
async function createLeased(
  store: Store,
  experiment: Experiment,
  leaseOptions: (experimentId: string) => ExperimentLeaseOptions,
): Promise<{ record: ExperimentRecord; lease: ExperimentLease } | undefined> {
  try {
    return await store.transaction(async (tx) => {
      const record = await tx.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: experimentSeed(experiment) })
      await seedWarmStart(tx, record)
      const attempt = await ExperimentLease.acquire(leaseOptions(record.id), tx)
      if ('heldBy' in attempt) throw new Error(`a lease exists on experiment ${record.id}, created a moment ago`)
      return { record, lease: attempt.lease }
    })
  } catch (error) {
    if (error instanceof TunewellError && error.code === 'EXPERIMENT_EXISTS') return undefined
    throw error
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof TunewellError && error.code === 'EXPERIMENT_NOT_FOUND'
}

/** What `run` prints when another controller runs the experiment (exit code 4). */
export function refusal(name: string, heldBy: LeaseRecord): string {
  return `experiment "${name}" is run by another controller: ${describeLease(heldBy)}. ` +
    'Only one process may run an experiment at a time; wait for that one to finish or stop it, ' +
    'or run again with --wait-for-lease to take over once it lets go.'
}

/** What `run` prints when another controller took the experiment during the run (exit code 4). */
export function lostLease(name: string, error: LeaseLostError): string {
  const now = error.current ? describeLease(error.current) : 'the experiment was deleted'
  return `experiment "${name}" was taken over by another controller (${now}); this process stopped its local trials ` +
    '(trials on a cluster keep running for that controller to follow) and changed nothing more.'
}
