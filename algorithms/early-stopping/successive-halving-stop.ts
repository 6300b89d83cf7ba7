/**
 * `asha`: asynchronous successive halving as a stopping rule (Li et al. 2020, "A System for
 * Massively Parallel Hyperparameter Tuning", Algorithm 2, in the early-stopping form the paper
 * describes for iterative training). Rungs sit at r_k = min_resource·eta^(min_early_stopping_rate + k)
 * steps. When a trial reaches a rung it continues only if it is among the best ⌊n/eta⌋ (at least
 * the best one) of the n trials, itself included, that have reached that rung so far, whatever
 * their state; otherwise it stops there. No trial waits for a rung to fill: a trial that stays
 * running is ASHA's "promotion", and it continues from where it is instead of being relaunched.
 *
 * Deviations from the paper, as in Optuna's SuccessiveHalvingPruner:
 * - The paper promotes a configuration only once a rung holds eta of them; a stopping rule must
 *   decide when the trial arrives, so the first arrivals at a rung continue only if they are the
 *   best there so far.
 * - A trial whose reports skip over a rung is judged at the first report past it, with the value
 *   it had at the rung (its last report at or before the rung step).
 * - Rungs at or past `max_resource` (when given) are not judged: the trial is finishing anyway.
 */
import type { SettingSpec } from '../algorithm-definition.ts'
import { withDefaults } from '../with-defaults.ts'
import type { EarlyStopper, EarlyStoppingDefinition, StopDecision, StopRequest } from './early-stopper.ts'
import { lastStep, learningCurve, sameTrial, valueAt } from './learning-curve.ts'

export type AshaStopSettings = {
  readonly min_resource?: number
  readonly eta?: number
  readonly min_early_stopping_rate?: number
  readonly max_resource?: number
}

export interface AshaStopOptions {
  readonly minResource: number
  readonly eta: number
  readonly minEarlyStoppingRate: number
  readonly maxResource?: number
}

export class AshaStopper implements EarlyStopper {
  private readonly options: AshaStopOptions

  constructor(options: AshaStopOptions) {
    this.options = options
  }

  /** Step of rung k. */
  rung(k: number): number {
    return this.options.minResource * this.options.eta ** (this.options.minEarlyStoppingRate + k)
  }

  decide({ trial, trials, direction }: StopRequest): StopDecision {
    const curve = learningCurve(trial)
    if (curve.length === 0) return { stop: false, reason: 'no report yet' }
    const step = lastStep(curve)
    const previous = curve.length > 1 ? curve[curve.length - 2]!.step : -Infinity
    // The highest rung crossed by this report; a rung crossed earlier was judged then.
    let k = -1
    for (let j = 0; this.rung(j) <= step * (1 + 1e-12); j++) if (this.rung(j) > previous * (1 + 1e-12)) k = j
    if (k < 0) return { stop: false, reason: `no rung between steps ${previous} and ${step}` }
    const rung = this.rung(k)
    if (this.options.maxResource !== undefined && rung >= this.options.maxResource) return { stop: false, reason: `rung ${rung} is max_resource` }
    const sign = direction === 'minimize' ? 1 : -1
    const mine = sign * valueAt(curve, rung)!
    let n = 1
    let better = 0
    for (const other of trials) {
      if (sameTrial(other, trial)) continue
      const otherCurve = learningCurve(other)
      if (lastStep(otherCurve) < rung) continue
      n++
      if (sign * valueAt(otherCurve, rung)! < mine) better++
    }
    const keep = Math.max(1, Math.floor(n / this.options.eta))
    const where = `at rung ${k} (step ${rung}) its value ${sign * mine} ranks ${better + 1} of the ${n} trials that reached it`
    return better < keep
      ? { stop: false, reason: `${where}, within the top ${keep}` }
      : { stop: true, reason: `successive halving: ${where}, outside the top ${keep} (1/${this.options.eta})` }
  }
}

const ASHA_SETTINGS = [
  { name: 'min_resource', type: 'float', default: 1, min: 0, exclusiveMin: true, description: 'Step of the first rung (with min_early_stopping_rate 0), e.g. 1 epoch.' },
  { name: 'eta', type: 'int', default: 3, min: 2, description: 'Reduction factor: rungs are eta times apart and 1/eta of the trials reaching one continue.' },
  { name: 'min_early_stopping_rate', type: 'int', default: 0, min: 0, description: 'Skips the first rungs: the first rung is at min_resource·eta^rate.' },
  { name: 'max_resource', type: 'float', min: 0, exclusiveMin: true, description: 'Steps of a full training; rungs from there on are not judged. Unset: every rung is.' },
] as const satisfies readonly SettingSpec[]

export const ashaStoppingAlgorithm: EarlyStoppingDefinition<AshaStopSettings> = {
  name: 'asha',
  description: 'Asynchronous successive halving (Li et al. 2020): at rungs min_resource·eta^k steps, a trial continues only if it is in the top 1/eta of the trials that reached the rung so far.',
  settings: ASHA_SETTINGS,
  create: (given) => {
    const settings = withDefaults(ASHA_SETTINGS, given)
    return new AshaStopper({
      minResource: settings.min_resource,
      eta: settings.eta,
      minEarlyStoppingRate: settings.min_early_stopping_rate,
      ...(settings.max_resource === undefined ? {} : { maxResource: settings.max_resource }),
    })
  },
}
