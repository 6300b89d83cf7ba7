import type { MetricPoint } from '../core/metric.ts'
import type { Experiment } from '../core/spec/experiment-schema.ts'
import type { Params } from '../core/search-space.ts'
import type { IntermediateValue, MetricSummary, TrialState } from '../core/trial.ts'
import type { TunewellEvent } from '../core/events.ts'
import type { ExperimentState } from '../core/experiment-state.ts'

export type { ExperimentState }

export interface ExperimentRecord {
  readonly id: string
  /** metadata.name; unique. */
  readonly name: string
  /** The validated Experiment document with defaults applied (plain JSON). */
  readonly spec: Experiment
  readonly state: ExperimentState
  /** Katib reason, e.g. `ExperimentMaxTrialsReached`. */
  readonly reason: string | null
  readonly message: string | null
  /** Seed of the experiment's suggestion streams. */
  readonly seed: number
  readonly bestTrialId: string | null
  readonly createdAt: Date
  readonly startedAt: Date | null
  readonly completedAt: Date | null
}

export interface NewExperiment {
  readonly name: string
  /** Validated, defaults applied: the store keeps it as given and never re-validates it. */
  readonly spec: Experiment
  readonly seed: number
}

export interface ExperimentPatch {
  readonly state?: ExperimentState
  readonly reason?: string | null
  readonly message?: string | null
  readonly bestTrialId?: string | null
  readonly spec?: Experiment
  readonly startedAt?: Date | null
  readonly completedAt?: Date | null
}

export interface TrialRecord {
  readonly id: string
  readonly experimentId: string
  readonly number: number
  /** `<experiment>-<suffix>`; unique. */
  readonly name: string
  readonly state: TrialState
  readonly params: Params
  /** The objective value picked by its metric strategy; null until known. */
  readonly objective: number | null
  /** Per-metric min/max/latest, filled when the trial completes. */
  readonly metrics: Readonly<Record<string, MetricSummary>> | null
  /**
   * Per metric reported only as text (a DARTS genotype), its latest text, filled when the trial
   * completes; a text objective is here and `objective` stays null. Absent or null: none.
   */
  readonly textMetrics?: Readonly<Record<string, string>> | null
  readonly reason: string | null
  readonly message: string | null
  /** Executor handle (plain JSON) so a restarted controller can find the execution. */
  readonly execution: unknown
  /** How often the trial was relaunched after its controller died. */
  readonly restarts: number
  readonly createdAt: Date
  readonly startedAt: Date | null
  readonly finishedAt: Date | null
  /** Ask/tell: key of the ask that holds the trial, if it sent one. */
  readonly idempotencyKey: string | null
  /** Ask/tell: last sign of life of its worker; null for trials the controller runs. */
  readonly heartbeatAt: Date | null
  /** Ask/tell: the name its worker gave. */
  readonly worker: string | null
  /** Name of the trial this one continues (its checkpoint is copied in before launch); null for a fresh start. */
  readonly parentTrialName: string | null
  /** 0 for a fresh start, the parent's + 1 otherwise. */
  readonly generation: number
}

export interface NewTrial {
  readonly name: string
  readonly params: Params
  /** See TrialRecord.parentTrialName; a trial of the same experiment. */
  readonly parentTrialName?: string | null
  readonly generation?: number
}

export interface TrialPatch {
  readonly objective?: number | null
  readonly metrics?: Readonly<Record<string, MetricSummary>> | null
  readonly textMetrics?: Readonly<Record<string, string>> | null
  readonly reason?: string | null
  readonly message?: string | null
  readonly execution?: unknown
  readonly restarts?: number
  readonly startedAt?: Date | null
  readonly finishedAt?: Date | null
}

/** One page of a keyset-paginated list; `next` is the position of its last item when more may follow. */
export interface Page<T, P> {
  readonly items: T[]
  readonly next?: P
}

/**
 * Where a page of experiments ended. `createdAt` is the exact timestamp (microseconds, UTC,
 * ISO 8601) as the database returned it: a JS Date would round it to milliseconds and so skip
 * or repeat experiments created within the same millisecond.
 */
export interface ExperimentPosition {
  readonly createdAt: string
  readonly name: string
}

export interface ExperimentPageQuery {
  readonly states?: readonly ExperimentState[]
  /** Case-insensitive substring of the name. */
  readonly nameContains?: string
  /** metadata.labels entries that must all be present with these values. */
  readonly labels?: Readonly<Record<string, string>>
  /** 1 or more. */
  readonly limit: number
  /** Start after this position (the `next` of the previous page). */
  readonly after?: ExperimentPosition
}

export type TrialSortKey = 'objective' | 'number' | 'createdAt'

/**
 * Where a page of trials ended: the sort key of its last trial (the objective, null included;
 * the exact createdAt as in ExperimentPosition; or the number) and its number, which is unique
 * within an experiment and breaks ties.
 */
export interface TrialPosition {
  readonly key: number | string | null
  readonly number: number
}

export interface TrialPageQuery {
  readonly sort: TrialSortKey
  readonly order: 'asc' | 'desc'
  readonly states?: readonly TrialState[]
  /** 1 or more. */
  readonly limit: number
  readonly after?: TrialPosition
}

export interface ExperimentStore {
  /** Throws TunewellError('EXPERIMENT_EXISTS') when the name is taken. */
  create(input: NewExperiment): Promise<ExperimentRecord>
  get(id: string): Promise<ExperimentRecord | undefined>
  getByName(name: string): Promise<ExperimentRecord | undefined>
  list(): Promise<ExperimentRecord[]>
  /** Newest first (createdAt descending, then name descending); keyset pagination, so every page costs the same. */
  page(query: ExperimentPageQuery): Promise<Page<ExperimentRecord, ExperimentPosition>>
  /** Throws TunewellError('EXPERIMENT_NOT_FOUND') when there is no such experiment. */
  update(id: string, patch: ExperimentPatch): Promise<ExperimentRecord>
  /**
   * Compare-and-set on state: applies `patch` only when the current state is in `from`.
   * Resolves the updated record, or undefined (no throw) when the state did not match or the
   * experiment does not exist.
   */
  transition(id: string, from: readonly ExperimentState[], patch: ExperimentPatch & { readonly state: ExperimentState }): Promise<ExperimentRecord | undefined>
  /** Inside a transaction: SELECT ... FOR NO KEY UPDATE on the row, serialising suggestion calls and updates of the experiment. Throws EXPERIMENT_NOT_FOUND when absent. */
  lock(id: string): Promise<void>
  /** Deletes the experiment with its trials, observations, state and events. Throws EXPERIMENT_NOT_FOUND when absent. */
  delete(id: string): Promise<void>
  /** Experiments per state, every state present (zeros included); one grouped query (for /metrics). */
  countByState(): Promise<Record<ExperimentState, number>>
  /** Trials per experiment name and state, only non-zero counts; one grouped query over all experiments (for /metrics). */
  trialCountsByState(): Promise<TrialStateCount[]>
}

export interface TrialStateCount {
  readonly experimentName: string
  readonly state: TrialState
  readonly count: number
}

export interface TrialStore {
  /** Appends trials numbered after the current maximum. Call inside a transaction holding the experiment lock. */
  createMany(experimentId: string, trials: readonly NewTrial[]): Promise<TrialRecord[]>
  get(id: string): Promise<TrialRecord | undefined>
  getByName(name: string): Promise<TrialRecord | undefined>
  /** Ordered by number. */
  list(experimentId: string, filter?: { readonly states?: readonly TrialState[] }): Promise<TrialRecord[]>
  /** Compare-and-set on state; resolves false (no throw) when the current state is not in `from`. */
  transition(id: string, from: readonly TrialState[], to: TrialState, patch?: TrialPatch): Promise<boolean>
  /**
   * transition() of several trials in one statement (a controller filling its open slots);
   * resolves the ids that moved. With `event`, each trial that moved gets that event in the same
   * statement: the change and its event are atomic without a transaction, in one round trip.
   */
  transitionMany(ids: readonly string[], from: readonly TrialState[], to: TrialState, patch?: TrialPatch, event?: TrialEvent): Promise<string[]>
  /** Throws TunewellError('TRIAL_NOT_FOUND') when there is no such trial. */
  update(id: string, patch: TrialPatch): Promise<TrialRecord>
  /** Each trial's `execution` (the executor's handle) in one statement; ids of no trial are skipped. */
  setExecutions(executions: readonly { readonly id: string; readonly execution: unknown }[]): Promise<void>
  countByState(experimentId: string): Promise<Record<TrialState, number>>
  /** countByState for several experiments in one query; every id gets an entry, zeros included. */
  countByStateForExperiments(experimentIds: readonly string[]): Promise<Map<string, Record<TrialState, number>>>
  /**
   * Trials of one experiment sorted by `sort` then number (in the same direction), objective
   * nulls last in both directions; keyset pagination, so page 1000 costs what page 1 does.
   */
  page(experimentId: string, query: TrialPageQuery): Promise<Page<TrialRecord, TrialPosition>>
  /** See TrialTally; one query. */
  tally(experimentId: string): Promise<TrialTally>
  /**
   * Per state, the names of its `limit` most recent trials (highest numbers), oldest first; one
   * query of at most 7 × `limit` rows through the (experiment, state, number) index, whatever
   * the experiment's size. Every state gets an entry, empty ones included.
   */
  recentNamesByState(experimentId: string, limit: number): Promise<Record<TrialState, string[]>>
  /** recentNamesByState for several experiments in one query; every id gets an entry, empty lists included. */
  recentNamesByStateForExperiments(experimentIds: readonly string[], limit: number): Promise<Map<string, Record<TrialState, string[]>>>
  /** The trials of these ids in one query (in no particular order); ids of no trial are skipped. */
  getMany(ids: readonly string[]): Promise<TrialRecord[]>
  /**
   * Asks of the experiment named `experimentName`, answered in order in one round trip
   * (`claim_ask_trials`, migrations/0001-initial.ts): one claim per request, the limit being the spec's
   * parallelTrialCount. A key repeated within `requests` is the caller's to fold into one.
   */
  claimByName(experimentName: string, requests: readonly ClaimRequest[], limits: ClaimLimits): Promise<NamedWorkerClaim[]>
  /**
   * A worker's sign of life: sets heartbeatAt if the trial is Running and, when `restarts` is
   * given, still in that attempt. Resolves whether it was.
   */
  heartbeat(id: string, restarts?: number): Promise<boolean>
  /**
   * transition() that also requires `restarts` (the attempt a worker holds) when given;
   * resolves the updated trial, or undefined when the state or attempt did not match.
   */
  transitionAttempt(id: string, restarts: number | undefined, from: readonly TrialState[], to: TrialState, patch?: TrialPatch): Promise<TrialRecord | undefined>
  /**
   * For each lookup, the experiment named `experimentName` and its trial named `trialName` (a
   * trial of another experiment is absent), all in one query; with `points`, each trial's points
   * summarised per metric too, so a worker's request costs one read whatever the history.
   */
  findByNames(lookups: readonly TrialLookup[], options?: { readonly points?: boolean }): Promise<TrialByNames[]>
  /**
   * Workers' results in one atomic statement: each Running trial (in the attempt `restarts`,
   * when given) moves to its state with its patch, and only when it did, its points are
   * appended (as observations.append()) and its event. Resolves, per attempt, the finished trial
   * or undefined when the state or attempt did not match.
   */
  finishAttempts(attempts: readonly FinishedAttempt[]): Promise<(TrialRecord | undefined)[]>
}

/** An event recorded for each trial a transition moved (TrialStore.transitionMany). */
export type TrialEvent = Pick<NewEvent, 'type' | 'payload'>

export interface TrialLookup {
  readonly experimentName: string
  readonly trialName: string
}

/** A Running trial's end as a worker told it (TrialStore.finishAttempts). */
export interface FinishedAttempt {
  readonly id: string
  /** The attempt the worker holds; absent = whoever holds it now. */
  readonly restarts?: number
  readonly state: TrialState
  readonly objective: number | null
  readonly metrics: Readonly<Record<string, MetricSummary>> | null
  readonly reason: string | null
  readonly message: string | null
  readonly finishedAt: Date
  readonly points: readonly MetricPoint[]
  readonly event: Extract<TunewellEvent, { readonly type: 'trial:state-changed' }>
}

/** What TrialStore.findByNames found; `trial` and `points` are absent without the experiment. */
export interface TrialByNames {
  readonly experiment?: ExperimentRecord
  readonly trial?: TrialRecord
  /** By metric name (in name order), when asked for and the trial exists; metrics without points are absent. */
  readonly points?: Readonly<Record<string, PointsSummary>>
  /** With `points`: how far the experiment has come, read in the same query. */
  readonly progress?: ExperimentProgress
}

/** What a tell reads to tell whether its experiment may complete (lifecycle/may-complete.ts). */
export interface ExperimentProgress {
  /** The highest trial number + 1, as TrialTally.total. */
  readonly total: number
  /** The suggestion service's saved state says the search space is exhausted (isSuggestionExhausted). */
  readonly suggestionExhausted: boolean
}

/** One metric's stored points, as a tell needs them. */
export interface PointsSummary {
  /** The highest step of any point, NaN and ±Infinity included. */
  readonly lastStep: number
  /** Over the finite points only, as ObservationStore.summarize; absent when there is none. */
  readonly finite?: { readonly min: number; readonly max: number; readonly latest: number; readonly count: number }
}

/** One ask, as claimByName takes it. */
export interface ClaimRequest {
  readonly idempotencyKey?: string
  readonly worker?: string
}

/** What bounds every claim of a claimByName call. */
export interface ClaimLimits {
  /** The limit when the spec sets no parallelTrialCount. */
  readonly defaultMaxRunning: number
  /** A Running ask/tell trial silent for longer than this is re-offered. */
  readonly staleSeconds: number
}

/**
 * claimByName's answer to one ask: a WorkerClaim, or `not-ask-tell` (the spec has a trialTemplate) or
 * `not-started` (Created or Restarting: start it, then ask again), with the experiment's id, the
 * limit applied, and a version that changes with every update of the experiment's row (keep
 * what is derived from its spec until it does).
 */
export type NamedWorkerClaim =
  | { readonly outcome: 'not-found' }
  | (
    (WorkerClaim | { readonly outcome: 'not-ask-tell' | 'not-started' })
    & { readonly experimentId: string; readonly experimentVersion: string; readonly maxRunning: number }
  )

/** A trial as an ask hands it out. */
export interface ClaimedTrial {
  readonly id: string
  readonly number: number
  readonly name: string
  readonly state: TrialState
  readonly params: Params
  readonly restarts: number
}

export type WorkerClaim =
  /** The idempotency key already holds this trial (whatever its state now). */
  | { readonly outcome: 'existing'; readonly trial: ClaimedTrial }
  /** A stale Running trial, handed out again with restarts + 1; its old points are deleted and `trial:restarted` appended. */
  | { readonly outcome: 'reoffered'; readonly trial: ClaimedTrial }
  /** A Pending trial, now Running, with its `trial:state-changed` event; `pending` are left. */
  | { readonly outcome: 'claimed'; readonly trial: ClaimedTrial; readonly pending: number }
  | { readonly outcome: 'completed' | 'busy' | 'empty' }

/**
 * The counts that decide an experiment's plan, without reading every trial: `total` is the
 * highest number + 1 (trials are numbered without gaps and never deleted one by one), the rest
 * are index range scans over states that stay small (bounded by parallelTrialCount and
 * maxFailedTrialCount). Succeeded, Killed and EarlyStopped are in total only.
 */
export interface TrialTally {
  readonly total: number
  readonly Pending: number
  readonly Running: number
  readonly Failed: number
  readonly MetricsUnavailable: number
}

export interface ObservationStore {
  /** Idempotent on (trialId, name, step): a resent point overwrites, never duplicates. Throws TRIAL_NOT_FOUND for an unknown trial. */
  append(trialId: string, points: readonly MetricPoint[]): Promise<void>
  /** Ordered by name, then step. */
  list(trialId: string, names?: readonly string[]): Promise<MetricPoint[]>
  /**
   * Latest = value at the highest step. Only finite values count (NaN and ±Infinity are
   * ignored); a metric with no finite point is absent.
   */
  summarize(trialId: string): Promise<Record<string, { min: number; max: number; latest: number; count: number }>>
  /**
   * The latest text (newest timestamp, then the higher step, as summarize's latest) of each
   * metric whose every point is a text (MetricPoint.text); a metric with a number is absent.
   */
  textSummaries(trialId: string): Promise<Record<string, string>>
  /** Number of points of one experiment (all trials). */
  countForExperiment(experimentId: string): Promise<number>
  /**
   * Every point of one metric across the experiment's trials, ascending by step per trial, in
   * one query (the (experiment_id, metric_name) index): the learning curves early-stopping rules
   * and multi-fidelity algorithms read. Raw values, NaN included; trials without a point are absent.
   */
  curves(experimentId: string, metric: string): Promise<Map<string, IntermediateValue[]>>
  /** Drops every point of a trial, e.g. before a relaunch so its steps start afresh. */
  deleteForTrial(trialId: string): Promise<void>
  /**
   * Learning curves for charts: the finite points of each (trial, metric) of `trialIds`, by
   * step, each series cut to at most `maxPoints` in the database (see
   * kysely/downsample-observations.ts for the method). Series without a finite point are absent.
   */
  series(query: SeriesQuery): Promise<ObservationSeries[]>
}

export interface SeriesQuery {
  readonly trialIds: readonly string[]
  /** Only these metrics; all when absent. */
  readonly metrics?: readonly string[]
  /** 2 or more; every point when absent. */
  readonly maxPoints?: number
}

export interface ObservationSeries {
  readonly trialId: string
  readonly metric: string
  /** Finite points the series has in the database, before downsampling. */
  readonly total: number
  /** Ascending by step. */
  readonly points: { readonly step: number; readonly value: number }[]
}

export interface AlgorithmStateStore {
  get(experimentId: string): Promise<{ readonly state: unknown; readonly version: number } | undefined>
  /** Throws TunewellError('STATE_CONFLICT') when `expectedVersion` is stale (0 = no row yet). */
  put(experimentId: string, state: unknown, expectedVersion: number): Promise<void>
}

/** A stored event: its type and payload (core/events.ts) with where and when it happened. */
export type ExperimentEvent = TunewellEvent & {
  readonly id: number
  readonly experimentId: string
  readonly trialId: string | null
  readonly at: Date
}

/** An event to append; write it in the transaction of the change it reports (lifecycle/). */
export type NewEvent = TunewellEvent & {
  readonly experimentId: string
  readonly trialId?: string | null
}

export interface EventStore {
  append(event: NewEvent): Promise<void>
  /** append() of several events in one statement, ids in this order. */
  appendMany(events: readonly NewEvent[]): Promise<void>
  /** Ordered by id; only events with id > afterId. */
  list(experimentId: string, afterId?: number): Promise<ExperimentEvent[]>
  /** The highest event id, 0 when there is none. */
  latestId(): Promise<number>
  /**
   * Per experiment, its latest event (id and time) and how many of its events changed its spec;
   * one query (an index descent per experiment for the latest), every id gets an entry (id 0
   * when it has no event). What the Kubernetes API makes resourceVersion and generation of.
   */
  experimentVersions(experimentIds: readonly string[]): Promise<Map<string, EventVersion>>
  /** Per trial of one experiment, its latest event; one query; trials without an event are absent. */
  trialVersions(experimentId: string, trialIds: readonly string[]): Promise<Map<string, EventVersion>>
  /** Events of all experiments (or one) with their names, ascending by id; for live streams (api/events/event-hub.ts). */
  feed(query: EventFeedQuery): Promise<FeedEvent[]>
}

/** Where an experiment's (or a trial's) history stands: see EventStore.experimentVersions. */
export interface EventVersion {
  /** The highest event id concerning it; 0 when none. */
  readonly latestId: number
  /** When that event was written; null when none. */
  readonly latestAt: Date | null
  /** Events that changed the spec (`experiment:updated`); 0 for trials. */
  readonly specChanges: number
}

export interface EventFeedQuery {
  /** Only ids above this one. */
  readonly afterId: number
  /** Only ids up to this one, inclusive. */
  readonly untilId?: number
  readonly experimentId?: string
  readonly limit: number
  /** The last `limit` events of the range instead of the first (still returned ascending). */
  readonly newest?: boolean
}

export type FeedEvent = ExperimentEvent & {
  readonly experimentName: string
  /** Null for experiment events. */
  readonly trialName: string | null
}

/** Who holds a lease, as it describes itself: for messages, and to take over from a dead holder on its own machine. */
export interface LeaseHolder {
  readonly host: string
  readonly pid: number
  /** The process's start time (controller/process-identity.ts), so a reused pid is not taken for the holder. */
  readonly startTime?: string
  /** The pid namespace (`/proc/self/ns/pid`), so processes of two containers with one host name are told apart. */
  readonly pidNamespace?: string
  /** The command that holds it: `run` or `serve`. */
  readonly command: string
  /** Where other replicas forward pushed metrics of this experiment's trials (controller/push-hub.ts), when it receives them. */
  readonly pushUrl?: string
}

/** An experiment's lease (table experiment_leases, migrations/0001-initial.ts): who drives it, until when by the database's clock. */
export interface LeaseRecord {
  readonly experimentId: string
  /** Random per acquisition attempt of one controller; with `epoch`, what a fenced write presents. */
  readonly holderId: string
  readonly holder: LeaseHolder
  /** The fencing token: 1 for the first acquisition, +1 for each one after. Never decreases. */
  readonly epoch: number
  readonly acquiredAt: Date
  readonly renewedAt: Date
  readonly expiresAt: Date
  /** Milliseconds until expiry by the database's clock when it was read; 0 or less once expired or released. */
  readonly remainingMs: number
}

/** What a fenced write presents: it applies only while this holder holds the lease of this epoch. */
export interface LeaseFence {
  readonly experimentId: string
  readonly holderId: string
  readonly epoch: number
  /**
   * The lease's time to live, when known: a fenced transaction left idle for 3 times as long
   * (at least 10 s), its process paused, is ended by the database so it cannot hold off a takeover.
   */
  readonly ttlMs?: number
}

/** LeaseStore.acquire's answer: the new lease, or the lease of whoever holds it. */
export type LeaseAcquisition =
  | { readonly acquired: true; readonly lease: LeaseRecord }
  | { readonly acquired: false; readonly lease: LeaseRecord }

/**
 * One controller per experiment (docs/reliability.md). Every expiry is judged by the database's
 * clock (`now()`), never by a controller's, so hosts with skewed clocks agree on it.
 */
export interface LeaseStore {
  /**
   * Takes the experiment's lease for `ttlMs` when it is free (never held, released, or expired)
   * or, with `takeOver`, still held by exactly that holder and epoch (the caller found that
   * process gone). The epoch becomes the previous one + 1. Otherwise resolves the current
   * holder's lease. Throws EXPERIMENT_NOT_FOUND.
   */
  acquire(
    experimentId: string,
    holderId: string,
    holder: LeaseHolder,
    ttlMs: number,
    takeOver?: { readonly holderId: string; readonly epoch: number },
  ): Promise<LeaseAcquisition>
  /**
   * Extends the lease to `ttlMs` from now while this holder holds this epoch, even past its
   * expiry as long as nobody took it since (no write of another holder can have come between).
   * Resolves undefined once another holder took it or the experiment is gone.
   */
  renew(fence: LeaseFence, ttlMs: number): Promise<LeaseRecord | undefined>
  /** Lets it go at once (for the next controller, without waiting for expiry); resolves whether this fence still held it. */
  release(fence: LeaseFence): Promise<boolean>
  get(experimentId: string): Promise<LeaseRecord | undefined>
  /**
   * The fence. Inside a transaction: checks that `fence` holds the lease, unexpired by the
   * database's clock, and locks the lease row (FOR SHARE) until commit, so no acquisition or
   * takeover can come between this check and the transaction's writes. Throws LeaseLostError
   * (db/lease-lost-error.ts) otherwise.
   */
  assertHeld(fence: LeaseFence): Promise<void>
}

/** The key that signs push tokens (metrics-collector/push-tokens.ts), one per database, so every replica checks every token. */
export interface PushKeyStore {
  /** Made by the first caller, the same for every caller after it; at least 32 bytes. */
  signingKey(): Promise<Uint8Array>
}

export interface Store {
  readonly experiments: ExperimentStore
  readonly trials: TrialStore
  readonly observations: ObservationStore
  readonly algorithmStates: AlgorithmStateStore
  readonly events: EventStore
  readonly leases: LeaseStore
  readonly pushKeys: PushKeyStore
  /** Deleted experiments for Kubernetes watches (TombstoneStore). */
  readonly tombstones: TombstoneStore
  /** Runs `work` in one transaction; the store it receives is bound to it. Nested calls reuse it. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>
  /** Which backend this is, for messages. */
  readonly backend: 'postgres' | 'pglite'
  /**
   * Names of migrations this database still lacks (empty when it is up to date), for readiness
   * checks. Throws when the database cannot be reached.
   */
  pendingMigrations(): Promise<string[]>
  destroy(): Promise<void>
}

/**
 * One entry of the change stream a Kubernetes watch reads: an event of the events table, or an
 * experiment's deletion (its tombstone). Both take their ids from one sequence, so the stream is
 * in one order. `type` is the event's type, or `experiment:deleted` for a tombstone.
 */
export interface StoreChange {
  readonly id: number
  readonly experimentId: string
  readonly trialId: string | null
  readonly type: string
}

/** A deleted experiment as it was when it was deleted, with its trials (migrations/0003-kube-tombstones.ts). */
export interface Tombstone {
  /** From the events' sequence: the DELETED objects' resourceVersion. */
  readonly id: number
  readonly experiment: ExperimentRecord
  /** By number; their executor handle is not kept (null here). */
  readonly trials: readonly TrialRecord[]
  /** Its `experiment:updated` events when it was deleted (its generation is 1 + this). */
  readonly specChanges: number
  readonly deletedAt: Date
}

export interface ChangeQuery {
  /** Only ids above this one. */
  readonly afterId: number
  /** Only ids up to this one, inclusive. */
  readonly untilId?: number
  readonly limit: number
}

/**
 * Deleted experiments, written by a trigger in the delete's transaction, kept for the watch
 * window (api/kube/watch/). Read together with the events table: what a watch replays.
 */
export interface TombstoneStore {
  /** Events and tombstones with ids in the range, ascending, at most `limit`. */
  changes(query: ChangeQuery): Promise<StoreChange[]>
  /** The events and tombstones of exactly these ids (those that exist), ascending. */
  changesAt(ids: readonly number[]): Promise<StoreChange[]>
  /** The tombstones of these ids (those still kept), ascending. */
  get(ids: readonly number[]): Promise<Tombstone[]>
  /** The highest id of an event or a tombstone (pruned ones included); 0 when there is none. */
  latestId(): Promise<number>
  /**
   * The resourceVersion a list may hand out: latestId(), or, when an id below it is missing
   * while a change above it is younger than `graceMs` (by the database's clock), the id just
   * below that gap. Ids are drawn in order but committed out of order: a change holding such an
   * id may still commit, after the list was read, and a watch from latestId() would never see it
   * (kubectl wait then waits for a condition the object already has). Only the last `window`
   * ids are looked at.
   */
  listVersion(graceMs: number, window?: number): Promise<number>
  /** The highest id pruned so far (0 when none was): a watch must start at or after it. */
  horizon(): Promise<number>
  /** Drops tombstones older than `olderThanMs` (by the database's clock); resolves the horizon after it. */
  prune(olderThanMs: number): Promise<number>
}
