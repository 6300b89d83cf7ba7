import type { Store } from '../../../db/store.ts'

/**
 * Whether this replica writes an experiment's status on the Experiment resource: the controller
 * that runs it (it holds the experiment's lease), or any replica while none does (an experiment
 * waiting to start, completed, or between leaders). With several replicas each would otherwise
 * write every resource's status: the writes are conditional, so they would agree, but every
 * change would cost one API call per replica, and the losers a 409 and a read on top.
 * When the database cannot say, it writes: a status a little late or twice beats none.
 */
export function statusDuty(store: Store, runsHere: (experimentId: string) => boolean): (experimentId: string) => Promise<boolean> {
  return async (experimentId) => {
    if (runsHere(experimentId)) return true
    const lease = await store.leases.get(experimentId).catch(() => undefined)
    return lease === undefined || lease.remainingMs <= 0
  }
}
