import type { ExperimentObservations, TrialObservations } from './api-types.ts'

/** One line of a learning-curve chart. */
export interface Series {
  readonly trial: string
  readonly metric: string
  /** The trial's state, where known (early-stopped curves are drawn differently). */
  readonly state?: string
  readonly points: readonly { readonly step: number; readonly value: number }[]
}

/** A page of the experiment's curves of one metric: a series per trial. */
export const experimentCurves = (page: ExperimentObservations): Series[] =>
  page.items.map((item) => ({ trial: item.name, metric: page.metric, state: item.state, points: item.points }))

/** One trial's curves: a series per metric. */
export const trialCurves = (body: TrialObservations): Series[] =>
  body.metrics.map((m) => ({ trial: body.trial, metric: m.name, points: m.points }))
