import type { ExperimentState } from './experiment-state.ts'
import type { Params } from './search-space.ts'
import type { TrialState } from './trial.ts'

/**
 * Every event an experiment's history holds, by type with its payload: what the store appends
 * (db/store.ts EventStore), the API streams (api/events/) and the dashboard reads. A new kind of
 * event is added here first, so a writer cannot invent a type or a payload shape the readers do
 * not know.
 */
export type TunewellEvent =
  | { readonly type: 'experiment:created'; readonly payload: { readonly name: string } }
  | { readonly type: 'experiment:state-changed'; readonly payload: ExperimentStateChange }
  /** Counts changed (PATCH or a changed file; before the state event when the change restarts a completed experiment): the editable counts as they are now. */
  | { readonly type: 'experiment:updated'; readonly payload: { readonly spec: Readonly<Record<string, number | undefined>> } }
  /**
   * metadata.labels or metadata.annotations changed (through the Kubernetes API: `kubectl label`,
   * `kubectl apply`'s last-applied annotation): what they are now. Not a spec change, so the
   * object's generation stays; it is an event so its resourceVersion and watches see it.
   */
  | { readonly type: 'experiment:metadata-changed'; readonly payload: ExperimentMetadataChange }
  | { readonly type: 'experiment:new-best'; readonly payload: { readonly objective: number | null } }
  | { readonly type: 'trial:created'; readonly payload: { readonly name: string; readonly params: Params } }
  | { readonly type: 'trial:state-changed'; readonly payload: TrialStateChange }
  /** Handed out or launched again from the start (its points dropped); `restarts` is the new attempt's count. */
  | { readonly type: 'trial:restarted'; readonly payload: { readonly restarts: number } }
  /**
   * A run of a Running trial failed and it runs again, as Kubernetes retries a Job's pod up to
   * its backoffLimit: no state change (the trial stays Running), its points so far dropped.
   */
  | { readonly type: 'trial:attempt-failed'; readonly payload: TrialAttemptFailure }

export type EventType = TunewellEvent['type']

/** The payload of events of type `T`. */
export type EventPayload<T extends EventType> = Extract<TunewellEvent, { readonly type: T }>['payload']

export interface ExperimentMetadataChange {
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: Readonly<Record<string, string>>
}

export interface ExperimentStateChange {
  readonly state: ExperimentState
  /** Katib reason, for completions. */
  readonly reason?: string | null
}

export interface TrialStateChange {
  readonly state: TrialState
  readonly reason?: string
  /** For finished trials: the objective, null when none was found. */
  readonly objective?: number | null
  /** For early-stopped trials: the rule's reason. */
  readonly message?: string
}

export interface TrialAttemptFailure {
  /** The attempt that failed, 1 for the first. */
  readonly attempt: number
  /** How many attempts the trial may make in all (backoffLimit + 1). */
  readonly attempts: number
  /** Error, Signal, ... as a trial's failure (controller/trial-executor.ts ExitResult). */
  readonly reason: string
  readonly exitCode?: number
  /** What failed, with the last lines the program printed (bounded: controller/last-lines.ts). */
  readonly message: string
  /** The back-off before the next attempt. */
  readonly retryInMs: number
}
