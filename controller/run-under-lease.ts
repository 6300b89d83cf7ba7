import type { ExperimentRecord } from '../db/store.ts'
import { LeaseLostError } from '../db/lease-lost-error.ts'
import type { ExperimentLease } from './experiment-lease.ts'
import { DETACH_TRIALS, InterruptedError, type ExperimentRunner } from './experiment-runner.ts'

/**
 * runner.run() for as long as `lease` is ours. The runner must have been built on `lease.store`,
 * so every write it makes is fenced. When another controller takes the lease, the runner is
 * interrupted and this throws the LeaseLostError naming the new holder, as it does when a fenced
 * write is refused first: trials that outlive their controller (a cluster's workloads) are left
 * running for the new holder to re-attach to, the others stop (trials stay Running for it to
 * relaunch). A lease gone with its experiment (deleted) stops them all. Aborting `signal` passes
 * its reason on to runner.run() (DETACH_TRIALS: leave them running). The lease is released when
 * the run ends, however it ends.
 */
export async function runUnderLease(
  runner: ExperimentRunner,
  lease: ExperimentLease,
  signal?: AbortSignal,
): Promise<ExperimentRecord> {
  const stop = new AbortController()
  const onAbort = () => stop.abort(signal?.reason)
  const onLost = () => stop.abort((lease.lost.reason as LeaseLostError).current !== undefined ? DETACH_TRIALS : undefined)
  signal?.addEventListener('abort', onAbort)
  lease.lost.addEventListener('abort', onLost)
  if (signal?.aborted) onAbort()
  else if (lease.lost.aborted) onLost()
  try {
    const done = await runner.run(lease.fence.experimentId, stop.signal)
    // Completed by another controller after a takeover, as read here: say so rather than claim the run.
    if (!(await lease.renew().catch(() => true))) throw lease.lost.reason as LeaseLostError
    return done
  } catch (error) {
    if (error instanceof InterruptedError && lease.lost.aborted && !signal?.aborted) throw lease.lost.reason as LeaseLostError
    throw error
  } finally {
    signal?.removeEventListener('abort', onAbort)
    lease.lost.removeEventListener('abort', onLost)
    await lease.release()
  }
}
