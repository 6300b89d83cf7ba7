import type { EventPayload } from '../core/events.ts'
import type { TrialOutcome } from './trial-outcome.ts'

/** The `trial:state-changed` event of a trial that ended with `outcome`, whoever ran it. */
export function trialFinishedEvent(outcome: TrialOutcome): { readonly type: 'trial:state-changed'; readonly payload: EventPayload<'trial:state-changed'> } {
  return { type: 'trial:state-changed', payload: { state: outcome.state, reason: outcome.reason, objective: outcome.objective } }
}
