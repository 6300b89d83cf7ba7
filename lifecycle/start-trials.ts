import type { Store, TrialRecord } from '../db/store.ts'

/**
 * startTrial for several trials at once (a reconcile pass that fills its open slots): each
 * Pending trial becomes Running with its start time, the executor's `execution` and its event,
 * in one statement whatever the number of trials (a statement per trial costs a round trip
 * each, and under load the round trips are what a slot waits for). Compare-and-set per trial:
 * resolves the ids of those that were still Pending; the others (killed, or taken by another
 * launch) are left as they are, without an event.
 */
export async function startTrials(store: Store, trials: readonly Pick<TrialRecord, 'id'>[], execution: unknown): Promise<Set<string>> {
  if (trials.length === 0) return new Set()
  const event = { type: 'trial:state-changed', payload: { state: 'Running' } } as const
  return new Set(await store.trials.transitionMany(trials.map((t) => t.id), ['Pending'], 'Running', { startedAt: new Date(), execution }, event))
}
