import type { ExperimentState, TrialState } from './api-types.ts'

/** A state as a coloured pill; the colour comes from the stylesheet (state-<name>). */
export function StatusBadge(props: { state: ExperimentState | TrialState; title?: string | null | undefined }) {
  return <span class={`badge state-${props.state}`} title={props.title ?? undefined}>{props.state}</span>
}
