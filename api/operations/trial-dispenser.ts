import { algorithmUsesHistory } from '../../algorithms/index.ts'
import { formatAssignments, formatParamValue, type SearchSpace } from '../../core/search-space.ts'
import { toSearchSpace } from '../../core/spec/index.ts'
import type { ClaimedTrial, ExperimentRecord, TrialTally } from '../../db/store.ts'
import type { EnsureResult } from '../../suggestion/suggestion-service.ts'
import type { AskTellContext } from './ask-tell-context.ts'
import { experimentCompleted, noTrialAvailable, notAskTell } from './ask-tell-errors.ts'
import { completeIfDone } from '../../lifecycle/complete-if-done.ts'
import { startExperiment } from '../../lifecycle/start-experiment.ts'
import { experimentNamedNotFound, isCompleted } from './find-experiment.ts'

export interface AskInput {
  readonly idempotencyKey?: string
  readonly worker?: string
}

/** Asks that lose every race for a fresh trial this often give up with NO_TRIAL_AVAILABLE. */
const MAX_ROUNDS = 8
/** Retry-After when parallelTrialCount trials run: one of them usually ends soon. */
const BUSY_RETRY_SECONDS = 1
/** parallelTrialCount when the spec sets none (Katib's default). */
export const DEFAULT_PARALLEL = 3
/**
 * Pending trials kept ahead for history-free algorithms: two parallelTrialCounts (at most
 * 256), topped up when fewer than half are left. With one only, the asks of a busy experiment
 * emptied the pool before the top-up landed and a third of them had to wait for it; the cap
 * keeps an experiment with a huge parallelTrialCount from creating thousands nobody asked for.
 */
function aheadOf(parallel: number): number {
  return 2 * Math.min(Math.max(1, parallel), 128)
}
/** Experiments whose derived facts (history use, search space) are kept; past this the map starts over. */
const MAX_KNOWN_EXPERIMENTS = 1_000

/**
 * Hands trials to outside workers (POST .../trials:ask), Katib's budget rules included: at most
 * parallelTrialCount Running, at most maxTrialCount in all, stale trials handed out again first.
 *
 * Built for many asks a second on long histories. An ask is one database call
 * (TrialStore.claimByName: the experiment by name, idempotency, staleness, the parallel limit
 * and taking a Pending trial), shared by the asks of one experiment that arrive together
 * (WorkerBatches); the experiment itself is read only off that path. Suggestions are created
 * ahead as Pending trials (aheadOf) for algorithms that do not read the history (random on
 * continuous spaces, sobol): one creation then serves many asks, and costs a count instead of
 * reading every trial. Model-based algorithms get one suggestion per ask, with the full
 * history, so each sees every result told before it. Creations of one experiment in this process are shared: asks that find nothing
 * Pending wait for the creation in flight instead of queueing on the experiment lock.
 */
export class TrialDispenser {
  readonly #ctx: AskTellContext
  readonly #creating = new Map<string, Promise<EnsureResult>>()
  readonly #derived = new Map<string, Derived>()

  constructor(context: AskTellContext) {
    this.#ctx = context
  }

  /**
   * `assignments`: the trial's values as it would receive them from a template (Katib's
   * parameterAssignments), a discrete value as its feasibleSpace.list entry is written ("0.10").
   */
  async ask(experimentName: string, input: AskInput): Promise<{ experimentName: string; trial: ClaimedTrial; assignments: Record<string, string> }> {
    const request = {
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(input.worker !== undefined ? { worker: input.worker } : {}),
    }
    // Starting a Created experiment takes one round more than MAX_ROUNDS claims.
    for (let round = 0; round <= MAX_ROUNDS; round++) {
      // The experiment is looked up by the claim itself and read here only off the common path.
      const claim = await this.#ctx.batches.claim(experimentName, request)
      if (claim.outcome === 'not-found') throw experimentNamedNotFound(experimentName)
      const parallel = claim.maxRunning
      const experiment = () => this.#experiment(claim.experimentId, experimentName)
      const answer = async (trial: ClaimedTrial) => ({
        experimentName,
        trial,
        assignments: await this.#assignments(claim.experimentId, claim.experimentVersion, experimentName, trial),
      })
      switch (claim.outcome) {
        case 'not-ask-tell':
          throw notAskTell(await experiment())
        case 'not-started':
          await this.#start(await experiment())
          break
        case 'existing':
          return answer(claim.trial)
        case 'completed':
          throw experimentCompleted(await experiment())
        case 'reoffered':
          // Its old points are gone and its event written: the claim did both.
          return answer(claim.trial)
        case 'claimed':
          // Top the pool up before it runs dry, so the next asks find a trial waiting.
          // A creation in flight will do: no read of the experiment for it.
          if (claim.pending < aheadOf(parallel) / 2 && !this.#creating.has(claim.experimentId) &&
            !(await this.#usesHistory(claim.experimentId, claim.experimentVersion, experimentName))) {
            this.#create(claim.experimentId).catch(() => {})
          }
          return answer(claim.trial)
        case 'busy':
          throw noTrialAvailable(`experiment "${experimentName}" already runs parallelTrialCount = ${parallel} trials; ask again when one ends`, BUSY_RETRY_SECONDS)
        case 'empty': {
          const created = await this.#create(claim.experimentId)
          if (created.created.length === 0) await this.#explainEmpty(await experiment())
        }
      }
    }
    throw noTrialAvailable(`every trial created for experiment "${experimentName}" was taken by other asks; ask again`, BUSY_RETRY_SECONDS)
  }

  /** Resolves once no creation started by an ask is in flight (before the store closes). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#creating.values()])
  }

  /** Created (or Restarting, after a resume) becomes Running on the first ask, as the runner starts it (lifecycle/). */
  async #start(experiment: ExperimentRecord): Promise<ExperimentRecord> {
    const { store } = this.#ctx
    const running = await startExperiment(store, experiment, 'experiment is running; trials are run by ask/tell workers')
    return running ?? (await store.experiments.get(experiment.id)) ?? experiment
  }

  /** The experiment as it is now; one that was deleted meanwhile is not found. */
  async #experiment(id: string, name: string): Promise<ExperimentRecord> {
    const record = await this.#ctx.store.experiments.get(id)
    if (!record) throw experimentNamedNotFound(name)
    return record
  }

  /**
   * What the asks need from the experiment's spec, kept per experiment version: the claim names
   * the version, so a spec change (which changes it) is read again, and the asks between pay
   * neither a read nor a parse of the spec.
   */
  async #derivedOf(id: string, version: string, name: string): Promise<Derived> {
    const known = this.#derived.get(id)
    if (known?.version === version) return known
    const experiment = await this.#experiment(id, name)
    const space = toSearchSpace(experiment.spec)
    const derived: Derived = {
      version,
      usesHistory: algorithmUsesHistory(experiment.spec.spec.algorithm.algorithmName, space),
      // Only a discrete list written otherwise than its numbers print ("0.10") needs the space per ask.
      ...(space.some((p) => p.type === 'discrete' && p.written) ? { space } : {}),
    }
    if (this.#derived.size >= MAX_KNOWN_EXPERIMENTS) this.#derived.clear()
    this.#derived.set(id, derived)
    return derived
  }

  async #usesHistory(id: string, version: string, name: string): Promise<boolean> {
    return (await this.#derivedOf(id, version, name)).usesHistory
  }

  async #assignments(id: string, version: string, name: string, trial: ClaimedTrial): Promise<Record<string, string>> {
    const { space } = await this.#derivedOf(id, version, name)
    if (space) return formatAssignments(space, trial.params)
    return Object.fromEntries(Object.entries(trial.params).map(([key, value]) => [key, formatParamValue(value)]))
  }

  /**
   * Pending trials for the next asks; one creation per experiment at a time in this process,
   * marked in flight before anything is awaited. How many is decided on the experiment as the
   * creation reads it under its lock, and is at most TRIAL_BATCH (suggestion-service.ts) however
   * large parallelTrialCount is: the next asks top the pool up again.
   */
  #create(experimentId: string): Promise<EnsureResult> {
    const inFlight = this.#creating.get(experimentId)
    if (inFlight) return inFlight
    const want = (tally: TrialTally, now: ExperimentRecord) => {
      if (isCompleted(now)) return 0
      const spec = now.spec.spec
      const room = (spec.maxTrialCount ?? Number.POSITIVE_INFINITY) - tally.total
      const ahead = usesHistoryOf(now) ? (tally.Pending === 0 ? 1 : 0) : aheadOf(spec.parallelTrialCount ?? DEFAULT_PARALLEL) - tally.Pending
      return Math.min(room, ahead)
    }
    const creation = this.#ctx.suggestions.createTrials(experimentId, want).finally(() => this.#creating.delete(experimentId))
    this.#creating.set(experimentId, creation)
    return creation
  }

  /**
   * Nothing Pending and nothing could be created: the experiment is done (complete it, 409
   * EXPERIMENT_COMPLETED), or its remaining budget is held by running trials (409
   * NO_TRIAL_AVAILABLE: one may fail or go stale and be handed out again). Returns when a trial
   * appeared meanwhile, for the caller to claim.
   */
  async #explainEmpty(experiment: ExperimentRecord): Promise<void> {
    const { store } = this.#ctx
    const completed = await completeIfDone(store, experiment)
    if (completed) throw experimentCompleted(completed)
    const tally = await store.trials.tally(experiment.id)
    if (tally.Pending > 0) return
    const max = experiment.spec.spec.maxTrialCount
    const retry = Math.min(this.#ctx.heartbeatTimeoutSeconds, 5)
    if (max !== undefined && tally.total >= max) {
      throw noTrialAvailable(`all ${max} trials of experiment "${experiment.name}" (maxTrialCount) are created and ${tally.Running} still run; ` +
        'ask again: one that fails or goes stale is handed out again, otherwise the experiment completes when they end', retry)
    }
    const now = await store.experiments.get(experiment.id)
    if (now && isCompleted(now)) throw experimentCompleted(now)
    throw noTrialAvailable(`the search space of experiment "${experiment.name}" is exhausted and ${tally.Running} trials still run; ` +
      'ask again: the experiment completes when they end', retry)
  }
}

function usesHistoryOf(experiment: ExperimentRecord): boolean {
  const spec = experiment.spec
  return algorithmUsesHistory(spec.spec.algorithm.algorithmName, toSearchSpace(spec))
}

/** Of one version of an experiment's spec. */
interface Derived {
  readonly version: string
  readonly usesHistory: boolean
  /** The search space, when a discrete value must reach workers as written (formatAssignments). */
  readonly space?: SearchSpace
}
