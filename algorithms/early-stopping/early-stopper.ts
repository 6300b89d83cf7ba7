import type { TrialSnapshot } from '../../core/trial.ts'
import type { SettingSpec } from '../algorithm-definition.ts'
import type { Direction } from '../suggester.ts'

/** What a stopping rule is asked each time a running trial reports its objective metric. */
export interface StopRequest {
  /** The trial that just reported; its `intermediate` holds every value so far, the new one last. */
  readonly trial: TrialSnapshot
  /** Every trial of the experiment, all states, with their `intermediate` series (`trial` may be among them). */
  readonly trials: readonly TrialSnapshot[]
  readonly direction: Direction
}

export interface StopDecision {
  readonly stop: boolean
  /** Why, in one sentence; stored as the EarlyStopped trial's message when `stop`. */
  readonly reason: string
}

/**
 * An early-stopping rule. Pure like a Suggester: the same request gives the same decision, and it
 * keeps no state between calls (everything it needs is in the trials' intermediate values), so the
 * controller may evaluate it anywhere, any number of times, after a restart too.
 */
export interface EarlyStopper {
  decide(request: StopRequest): StopDecision
}

/** A Katib `spec.earlyStopping` entry: its name, its `algorithmSettings` and how to build it. */
export interface EarlyStoppingDefinition<S = Record<string, number | string | undefined>> {
  /** Katib `spec.earlyStopping.algorithmName`. */
  readonly name: string
  readonly description: string
  readonly settings: readonly SettingSpec[]
  /** `settings` come from `parseSettings`: typed, in range and defaulted. */
  create(settings: S): EarlyStopper
}
