import type { ClaimLimits, ClaimRequest, FinishedAttempt, NamedWorkerClaim, Store, TrialByNames, TrialRecord } from '../../db/store.ts'
import { Coalescer } from '../coalescer.ts'

/**
 * The statements every worker request runs (claim an ask, find a trial by names, finish a
 * tell), each sent alone when the service is quiet and in batches under load (see Coalescer):
 * at 32 workers a round trip, a commit and a parse then serve several requests. Per
 * experiment, one claim is in flight at a time, which is also what keeps its batches large.
 */
export class WorkerBatches {
  readonly #claims: Coalescer<string, ClaimRequest, NamedWorkerClaim>
  readonly #finds: Coalescer<boolean, { readonly experimentName: string; readonly trialName: string }, TrialByNames>
  readonly #finishes: Coalescer<true, FinishedAttempt, TrialRecord | undefined>

  constructor(store: Store, limits: ClaimLimits) {
    this.#claims = new Coalescer((name, requests) => claimOnce(store, name, requests, limits))
    this.#finds = new Coalescer((points, lookups) => store.trials.findByNames(lookups, { points }))
    this.#finishes = new Coalescer((_, attempts) => store.trials.finishAttempts(attempts))
  }

  claim(experimentName: string, request: ClaimRequest): Promise<NamedWorkerClaim> {
    return this.#claims.run(experimentName, request)
  }

  /** The experiment and its trial by their names; with `points`, as a tell needs it (TrialStore.findByNames). */
  find(experimentName: string, trialName: string, points: boolean): Promise<TrialByNames> {
    return this.#finds.run(points, { experimentName, trialName })
  }

  finish(attempt: FinishedAttempt): Promise<TrialRecord | undefined> {
    return this.#finishes.run(true, attempt)
  }
}

/** Asks sharing an idempotency key are one ask: the store would refuse the key twice in a batch. */
async function claimOnce(store: Store, experimentName: string, requests: readonly ClaimRequest[], limits: ClaimLimits): Promise<NamedWorkerClaim[]> {
  const unique: ClaimRequest[] = []
  const slot = new Map<string, number>()
  const positions = requests.map((request) => {
    const key = request.idempotencyKey
    const seen = key === undefined ? undefined : slot.get(key)
    if (seen !== undefined) return seen
    if (key !== undefined) slot.set(key, unique.length)
    unique.push(request)
    return unique.length - 1
  })
  const claims = await store.trials.claimByName(experimentName, unique, limits)
  return positions.map((i) => claims[i]!)
}
