import type { ExperimentState } from '../experiment-state.ts'
import type { KatibExperimentStatus } from '../spec/katib-experiment-status-schema.ts'
import type { Experiment } from '../spec/experiment-schema.ts'
import type { Params } from '../search-space.ts'
import { metricNames as collectedMetrics, trialAssignments } from '../spec/to-search-space.ts'
import { TRIAL_STATES, type MetricSummary, type TrialState } from '../trial.ts'
import { rfc3339 } from './rfc3339.ts'
import { sameJson } from './same-json.ts'

/**
 * How many names each of the status's trial lists keeps (the most recent ones). An Experiment is
 * one etcd object (1.5 MB at most, spec included); 7 lists of 100 names of up to 63 characters
 * stay under 50 kB however many trials run, while the counters stay exact.
 */
export const DEFAULT_TRIAL_LIST_LIMIT = 100

type Condition = NonNullable<KatibExperimentStatus['conditions']>[number]
type Metric = NonNullable<NonNullable<NonNullable<KatibExperimentStatus['currentOptimalTrial']>['observation']>['metrics']>[number]

/** The fields of an experiment's record (db/store.ts ExperimentRecord) katibStatus reads; core cannot import db. */
export interface KatibStatusExperiment {
  readonly state: ExperimentState
  readonly reason: string | null
  readonly message: string | null
  readonly createdAt: Date
  readonly startedAt: Date | null
  readonly completedAt: Date | null
  readonly spec: Experiment
}

/** The fields of a trial's record (db/store.ts TrialRecord) that its currentOptimalTrial shows. */
export interface KatibStatusTrial {
  readonly name: string
  readonly params: Params
  readonly metrics: Readonly<Record<string, MetricSummary>> | null
  /** Metrics reported only as text, each with its latest (TrialRecord.textMetrics). */
  readonly textMetrics?: Readonly<Record<string, string>> | null
}

/** What the database holds about one experiment, as katibStatus reads it. */
export interface KatibStatusInput {
  readonly experiment: KatibStatusExperiment
  /** Exact trial counts per state. */
  readonly counts: Readonly<Record<TrialState, number>>
  /** Per state, names of its most recent trials, oldest first (TrialStore.recentNamesByState); cut to the last `limit`. */
  readonly names: Readonly<Partial<Record<TrialState, readonly string[]>>>
  /** The experiment's best trial (ExperimentRecord.bestTrialId), if it has one. */
  readonly best?: KatibStatusTrial
  /**
   * The status on the resource now (what was written last): conditions keep their order and
   * their transition times unless their status changes, and lastReconcileTime stays when
   * nothing else changed, so an unchanged experiment yields an identical status (and no write).
   */
  readonly previous?: KatibExperimentStatus
  readonly now: Date
  /** Names kept per list; default DEFAULT_TRIAL_LIST_LIMIT. */
  readonly limit?: number
}

/** The status list each trial state is named in, and its counter (Katib's spellings). */
const LISTS: Readonly<Record<TrialState, readonly [keyof KatibExperimentStatus, keyof KatibExperimentStatus]>> = {
  Pending: ['pendingTrialList', 'trialsPending'],
  Running: ['runningTrialList', 'trialsRunning'],
  Succeeded: ['succeededTrialList', 'trialsSucceeded'],
  Failed: ['failedTrialList', 'trialsFailed'],
  Killed: ['killedTrialList', 'trialsKilled'],
  EarlyStopped: ['earlyStoppedTrialList', 'trialsEarlyStopped'],
  MetricsUnavailable: ['metricsUnavailableTrialList', 'trialMetricsUnavailable'],
}

/** Katib's messages (experiment_controller.go), for states whose record carries none. */
const DEFAULT_MESSAGES = {
  created: 'Experiment is created',
  running: 'Experiment is running',
  restarting: 'Experiment is restarting',
  succeeded: 'Experiment has succeeded',
  failed: 'Experiment has failed',
} as const

/**
 * Katib's ExperimentStatus (pkg/apis/controller/experiments/v1beta1) for an experiment as the
 * database holds it. Conditions follow Katib's setCondition: a condition whose status and reason
 * (and here also message) are unchanged is left as it is; otherwise it is replaced and moved to
 * the end (so `.status.conditions[-1:]`, the printer columns, is the latest), keeping its
 * lastTransitionTime when only the reason changed. Succeeded or Failed flips Running to False,
 * Restarting removes Succeeded and Failed. Unlike Katib, Restarting goes False once the
 * experiment runs again (Katib leaves it True next to Running True). A transition is timed by
 * the database where it records one (created, started, completed), else by `now`.
 *
 * Reasons are Katib's names already (lifecycle/plan.ts: ExperimentGoalReached,
 * ExperimentMaxTrialsReached, ExperimentSuggestionEndReached, ExperimentFailed), so they pass
 * through; ExperimentStopped (the API's stop, which Katib lacks) is the one of our own.
 */
export function katibStatus(input: KatibStatusInput): KatibExperimentStatus {
  const { experiment: record, now } = input
  const conditions = new Conditions(input.previous?.conditions ?? [], now)
  conditions.set('Created', 'True', 'ExperimentCreated', DEFAULT_MESSAGES.created, record.createdAt)
  const state = record.state
  if (state === 'Created') {
    for (const type of ['Running', 'Restarting', 'Succeeded', 'Failed']) conditions.remove(type)
  }
  if (state !== 'Created' && state !== 'Running' && record.startedAt && !conditions.get('Running')) {
    // A resource first written after the experiment ran (a new controller, a status wiped):
    // its history starts with the run, as Katib's would.
    conditions.set('Running', 'True', 'ExperimentRunning', DEFAULT_MESSAGES.running, record.startedAt)
  }
  if (state === 'Running') {
    conditions.remove('Succeeded')
    conditions.remove('Failed')
    conditions.flipFalse('Restarting')
    // A first start is timed by the database; a run again after Restarting by now (startedAt keeps the first start).
    const since = conditions.get('Running') ? now : record.startedAt ?? now
    conditions.set('Running', 'True', record.reason ?? 'ExperimentRunning', record.message ?? DEFAULT_MESSAGES.running, since)
  }
  if (state === 'Restarting') {
    conditions.remove('Succeeded')
    conditions.remove('Failed')
    conditions.flipFalse('Running')
    conditions.set('Restarting', 'True', record.reason ?? 'ExperimentRestarting', record.message ?? DEFAULT_MESSAGES.restarting, now)
  }
  if (state === 'Succeeded' || state === 'Failed') {
    const at = record.completedAt ?? now
    conditions.remove(state === 'Succeeded' ? 'Failed' : 'Succeeded')
    conditions.flipFalse('Restarting', at)
    conditions.flipFalse('Running', at)
    const reason = record.reason ?? (state === 'Succeeded' ? 'ExperimentSucceeded' : 'ExperimentFailed')
    conditions.set(state, 'True', reason, record.message ?? DEFAULT_MESSAGES[state === 'Succeeded' ? 'succeeded' : 'failed'], at)
  }

  const limit = Math.max(0, Math.floor(input.limit ?? DEFAULT_TRIAL_LIST_LIMIT))
  const status: Record<string, unknown> = { startTime: rfc3339(record.createdAt) }
  if ((state === 'Succeeded' || state === 'Failed') && record.completedAt) status.completionTime = rfc3339(record.completedAt)
  status.conditions = conditions.list
  if (input.best) status.currentOptimalTrial = optimalTrial(input.best, record.spec)
  for (const trialState of TRIAL_STATES) {
    const names = input.names[trialState] ?? []
    // Katib omits an empty list (omitempty); the counters are always written, zeros included.
    if (names.length > 0 && limit > 0) status[LISTS[trialState][0]] = names.slice(-limit)
  }
  status.trials = TRIAL_STATES.reduce((sum, s) => sum + input.counts[s], 0)
  for (const trialState of TRIAL_STATES) status[LISTS[trialState][1]] = input.counts[trialState]
  return withReconcileTime(status as KatibExperimentStatus, input.previous, now)
}

/**
 * An Experiment resource that cannot run (invalid, or not runnable here): Created True and
 * Failed True (reason ExperimentInvalid) whose message lists every problem, Running flipped to
 * False if it was there; the rest of the status stays as it is.
 */
export function katibInvalidStatus(problems: readonly string[], previous: KatibExperimentStatus | undefined, now: Date): KatibExperimentStatus {
  const conditions = new Conditions(previous?.conditions ?? [], now)
  conditions.set('Created', 'True', 'ExperimentCreated', DEFAULT_MESSAGES.created, now)
  conditions.remove('Succeeded')
  conditions.flipFalse('Restarting')
  conditions.flipFalse('Running')
  conditions.set('Failed', 'True', 'ExperimentInvalid', invalidMessage(problems), now)
  return withReconcileTime({ ...previous, conditions: conditions.list }, previous, now)
}

/** "Experiment is invalid (2 problems): spec.a: ...; spec.b: ..." */
export function invalidMessage(problems: readonly string[]): string {
  if (problems.length === 0) return 'Experiment is invalid'
  return `Experiment is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`
}

/** Katib's currentOptimalTrial: assignments in spec order as Katib prints them; objective, then additional metrics. */
function optimalTrial(best: NonNullable<KatibStatusInput['best']>, spec: Experiment): NonNullable<KatibExperimentStatus['currentOptimalTrial']> {
  const specOrder = (spec.spec.parameters ?? []).map((p) => p.name)
  const names = [...specOrder.filter((n) => Object.hasOwn(best.params, n)), ...Object.keys(best.params).filter((n) => !specOrder.includes(n))]
  const written = trialAssignments(spec, best.params)
  // With the multi-objective extension, its further objectives and constraint metrics follow.
  const metricNames = [...new Set(collectedMetrics(spec))]
  const metrics: Metric[] = metricNames.map((name) => {
    const m = best.metrics?.[name]
    const text = best.textMetrics && Object.hasOwn(best.textMetrics, name) ? best.textMetrics[name] : undefined
    // Katib's getMetrics: a value that is no float (a genotype) is only ever the latest.
    if (!m && text !== undefined) return { name, min: 'unavailable', max: 'unavailable', latest: text }
    // Katib's getMetrics starts every metric with a strategy at "unavailable".
    if (!m) return { name, min: 'unavailable', max: 'unavailable', latest: 'unavailable' }
    return { name, min: String(m.min), max: String(m.max), latest: String(m.latest) }
  })
  return {
    bestTrialName: best.name,
    parameterAssignments: names.map((name) => ({ name, value: written[name]! })),
    observation: { metrics },
  }
}

/** lastReconcileTime moves only with a change, so an unchanged experiment gives back `previous` exactly. */
function withReconcileTime(status: KatibExperimentStatus, previous: KatibExperimentStatus | undefined, now: Date): KatibExperimentStatus {
  const { lastReconcileTime: _ignored, ...rest } = status
  if (previous) {
    const { lastReconcileTime: before, ...previousRest } = previous
    if (before !== undefined && sameJson(rest, previousRest)) return { ...rest, lastReconcileTime: before }
  }
  return { ...rest, lastReconcileTime: rfc3339(now) }
}

/** Katib's condition list operations (experiments/v1beta1/util.go), on a copy of the previous list. */
class Conditions {
  list: Condition[]
  readonly #now: Date

  constructor(previous: readonly Condition[], now: Date) {
    this.list = previous.map((c) => ({ ...c }))
    this.#now = now
  }

  get(type: string): Condition | undefined {
    return this.list.find((c) => c.type === type)
  }

  remove(type: string): void {
    this.list = this.list.filter((c) => c.type !== type)
  }

  /** setCondition; `since` times a change of status (lastTransitionTime and lastUpdateTime). */
  set(type: string, status: Condition['status'], reason: string, message: string, since: Date): void {
    const current = this.get(type)
    if (current && current.status === status && current.reason === reason && current.message === message) return
    const sameStatus = current !== undefined && current.status === status
    const condition: Condition = {
      type,
      status,
      reason,
      message,
      lastUpdateTime: rfc3339(sameStatus ? this.#now : since),
      lastTransitionTime: sameStatus && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(since),
    }
    this.remove(type)
    this.list.push(condition)
  }

  /** A True condition becomes False, keeping its reason and message (as Katib's Running on completion). */
  flipFalse(type: string, since: Date = this.#now): void {
    const current = this.get(type)
    if (current && current.status !== 'False') this.set(type, 'False', current.reason ?? '', current.message ?? '', since)
  }
}
