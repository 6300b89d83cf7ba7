import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'
import type { Params } from '../core/search-space.ts'
import type { Experiment } from '../core/spec/experiment-schema.ts'
import type { TrialState } from '../core/trial.ts'
import type { ExperimentState } from './store.ts'

/**
 * A jsonb column: read back as parsed JSON, written as JSON text. Writes go through
 * `JSON.stringify` because node-postgres would turn a JS array into a Postgres array.
 */
export type Jsonb<T> = ColumnType<T, string, string>
export type NullableJsonb<T> = ColumnType<T | null, string | null, string | null>

/** A timestamptz the database fills in on insert. */
export type CreatedAt = ColumnType<Date, Date | undefined, Date>

export interface ExperimentsTable {
  /** `crypto.randomUUID()`, stored as text so a malformed id in a lookup is "not found", not a cast error. */
  id: string
  /** metadata.name; unique. */
  name: string
  /**
   * The validated Experiment document with defaults applied. Typed here, once: the store only
   * writes an `Experiment` (NewExperiment, ExperimentPatch), so what it reads back is one.
   */
  spec: Jsonb<Experiment>
  state: ExperimentState
  reason: string | null
  message: string | null
  /** bigint; parsed to a JS number on both backends (see open-store.ts). */
  seed: number
  best_trial_id: string | null
  created_at: CreatedAt
  started_at: Date | null
  completed_at: Date | null
}

export interface TrialsTable {
  id: string
  experiment_id: string
  /** 0, 1, 2 ... within the experiment; unique with experiment_id. */
  number: number
  /** Globally unique, `<experiment>-<suffix>`. */
  name: string
  state: TrialState
  params: Jsonb<Params>
  /** double precision; NaN and ±Infinity round-trip. */
  objective: number | null
  /** Per-metric min/max/latest; JSON, so only finite numbers survive. */
  metrics: NullableJsonb<Record<string, { min: number; max: number; latest: number }>>
  /** Per metric reported only as text, its latest text (migrations/0004-text-metric-values.ts). */
  text_metrics: NullableJsonb<Record<string, string>>
  reason: string | null
  message: string | null
  /** Executor handle, plain JSON. */
  execution: NullableJsonb<unknown>
  restarts: Generated<number>
  created_at: CreatedAt
  started_at: Date | null
  finished_at: Date | null
  /** Key of the ask that holds the trial (ask/tell); unique per experiment when set. */
  idempotency_key: string | null
  /** Last sign of life of an ask/tell worker; null for trials the controller runs. */
  heartbeat_at: Date | null
  /** Name an ask/tell worker gave itself. */
  worker: string | null
  /** The trial this one continues (hyperband promotion, pbt exploit); see migrations/0001-initial.ts. */
  parent_trial_name: string | null
  /** 0 for a fresh start, the parent's + 1 otherwise. */
  generation: Generated<number>
}

export interface ObservationsTable {
  trial_id: string
  /** Copied from the trial so per-experiment reads need no join (see migrations/0001-initial.ts). */
  experiment_id: string
  metric_name: string
  step: number
  /** double precision; NaN and ±Infinity are stored as reported. */
  value: number
  /** The value as reported when it is not a number (then `value` is NaN); null for a number. */
  text_value: string | null
  recorded_at: Date
}

export interface AlgorithmStatesTable {
  experiment_id: string
  /** Opaque suggester state. */
  state: Jsonb<unknown>
  /** Optimistic-concurrency counter: 1 after the first put, +1 per put. */
  version: number
}

export interface EventsTable {
  /** bigserial; parsed to a JS number on both backends. */
  id: Generated<number>
  experiment_id: string
  /** No foreign key: events are history and are deleted with their experiment. */
  trial_id: string | null
  type: string
  payload: NullableJsonb<unknown>
  at: CreatedAt
}

/** See migrations/0001-initial.ts (experiment_leases). */
export interface ExperimentLeasesTable {
  experiment_id: string
  holder_id: string
  holder: Jsonb<unknown>
  /** bigint; parsed to a JS number on both backends. */
  epoch: number
  acquired_at: Date
  renewed_at: Date
  expires_at: Date
}

export interface Database {
  experiments: ExperimentsTable
  trials: TrialsTable
  observations: ObservationsTable
  algorithm_states: AlgorithmStatesTable
  events: EventsTable
  experiment_leases: ExperimentLeasesTable
}

export type ExperimentRow = Selectable<ExperimentsTable>
export type NewExperimentRow = Insertable<ExperimentsTable>
export type ExperimentUpdate = Updateable<ExperimentsTable>
export type TrialRow = Selectable<TrialsTable>
export type NewTrialRow = Insertable<TrialsTable>
export type TrialUpdate = Updateable<TrialsTable>
export type ObservationRow = Selectable<ObservationsTable>
export type NewObservationRow = Insertable<ObservationsTable>
export type EventRow = Selectable<EventsTable>
