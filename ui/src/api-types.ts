// The API's own schemas are the contract; the UI only borrows their types (erased at build time).
export type { ExperimentResource, ExperimentSummary, ExperimentValidation } from '../../api/schemas/experiment.ts'
export type { TrialView } from '../../api/schemas/trial.ts'
export type { ErrorBody, Issue } from '../../api/schemas/common.ts'
export type { TrialColumns } from '../../api/schemas/trial-columns.ts'
export type { Importance } from '../../api/schemas/importance.ts'
export type { EventData, StreamNoticeType } from '../../api/events/sse-message.ts'
import type { Static } from 'typebox'
import type { ExperimentObservationsSchema, TrialObservationsSchema } from '../../api/schemas/observations.ts'

export type ExperimentObservations = Static<typeof ExperimentObservationsSchema>
export type TrialObservations = Static<typeof TrialObservationsSchema>

export type TrialState = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Killed' | 'EarlyStopped' | 'MetricsUnavailable'
export type ExperimentState = 'Created' | 'Running' | 'Restarting' | 'Succeeded' | 'Failed'

export interface Page<T> {
  readonly items: T[]
  readonly nextCursor: string | null
}
