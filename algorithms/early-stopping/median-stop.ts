/**
 * `medianstop`: the median stopping rule of Golovin et al. 2017 ("Google Vizier: A Service for
 * Black-Box Optimization", §3.2.2) under Katib's name and settings. At every report from the
 * `start_step`-th on, a trial at step s is stopped when its best value so far is strictly worse
 * than the median of the running averages (mean of the values reported up to s) of the other
 * completed trials that reached step s, provided at least `min_trials_required` of them did.
 *
 * What Katib's earlystopping-medianstop does instead, and we do not: it averages only the first
 * `start_step` values of each succeeded trial, compares against the arithmetic *mean* of those
 * averages (not a median: one diverging trial drags the threshold), freezes that threshold into
 * trials when they are created, and checks it once, at the `start_step`-th report only.
 *
 * Our choices where the paper is silent:
 * - "Completed" is every finished state (succeeded, early stopped, failed, killed, metrics
 *   unavailable) that reported up to step s: a stopped trial's curve up to s is as valid as a
 *   finished one's. Pending and running trials do not vote, so the threshold does not move with
 *   how far parallel peers happen to be.
 * - `start_step` counts reports, as Katib's does (for per-epoch reporting: the epoch).
 * - Steps need not line up across trials: a peer votes at s if it reported at some step ≥ s,
 *   with its average over its reports at steps ≤ s.
 */
import { isTrialCompleted } from '../../core/trial.ts'
import type { SettingSpec } from '../algorithm-definition.ts'
import { withDefaults } from '../with-defaults.ts'
import type { EarlyStopper, EarlyStoppingDefinition, StopDecision, StopRequest } from './early-stopper.ts'
import { bestUpTo, isWorse, lastStep, learningCurve, median, runningAverage, sameTrial } from './learning-curve.ts'

export type MedianStopSettings = {
  readonly min_trials_required?: number
  readonly start_step?: number
}

export interface MedianStopOptions {
  readonly minTrialsRequired: number
  readonly startStep: number
}

export class MedianStopper implements EarlyStopper {
  private readonly options: MedianStopOptions

  constructor(options: MedianStopOptions) {
    this.options = options
  }

  decide({ trial, trials, direction }: StopRequest): StopDecision {
    const curve = learningCurve(trial)
    if (curve.length < this.options.startStep) {
      return { stop: false, reason: `${curve.length} of start_step ${this.options.startStep} reports so far` }
    }
    const step = lastStep(curve)
    const averages: number[] = []
    for (const other of trials) {
      if (sameTrial(other, trial) || !isTrialCompleted(other.state)) continue
      const otherCurve = learningCurve(other)
      if (lastStep(otherCurve) < step) continue
      averages.push(runningAverage(otherCurve, step)!)
    }
    if (averages.length < this.options.minTrialsRequired) {
      return { stop: false, reason: `${averages.length} completed trials reached step ${step}; min_trials_required is ${this.options.minTrialsRequired}` }
    }
    const threshold = median(averages)
    const best = bestUpTo(curve, step, direction)!
    const comparison = `best value ${best} by step ${step} against the median ${threshold} of ${averages.length} completed trials' running averages at that step`
    return isWorse(best, threshold, direction)
      ? { stop: true, reason: `median stopping rule: ${comparison}` }
      : { stop: false, reason: comparison }
  }
}

const MEDIAN_STOP_SETTINGS = [
  { name: 'min_trials_required', type: 'int', default: 3, min: 1, description: 'Completed trials that must have reached a step before any trial is stopped at that step.' },
  { name: 'start_step', type: 'int', default: 4, min: 1, description: 'Reports a trial makes before the rule applies to it; from then on it is checked at every report.' },
] as const satisfies readonly SettingSpec[]

export const medianStopAlgorithm: EarlyStoppingDefinition<MedianStopSettings> = {
  name: 'medianstop',
  description: 'Median stopping rule (Golovin et al. 2017): stops a trial whose best value so far is worse than the median of the completed trials\' running averages at the same step, checked at every report.',
  settings: MEDIAN_STOP_SETTINGS,
  create: (given) => {
    const settings = withDefaults(MEDIAN_STOP_SETTINGS, given)
    return new MedianStopper({ minTrialsRequired: settings.min_trials_required, startStep: settings.start_step })
  },
}
