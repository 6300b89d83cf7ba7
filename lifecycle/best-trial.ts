import { isMultiObjective } from '../core/multiobjective/objectives.ts'
import type { ObjectiveSpec } from '../core/spec/experiment-schema.ts'
import type { TrialRecord } from '../db/store.ts'
import { experimentFront, isFeasibleTrial } from './best-front.ts'

/**
 * Katib's currentOptimalTrial: the best objective among trials that have one. Early-stopped
 * trials keep the value they reached and compete too, as in Katib. Ties go to the earlier trial.
 *
 * An objective reported as text (`metric` in TrialRecord.textMetrics: a DARTS genotype) cannot
 * be compared; as Katib's status_util ("for string metrics values best trial is the latest"),
 * the best is then the latest such trial, by number, among those that succeeded. A numeric
 * objective, where any trial has one, wins over text.
 *
 * With the experiment's `objective` spec: a trial that breaks a constraint is never best, and a
 * multi-objective experiment's best is the trial of its Pareto front with the best first
 * objective (ties: the earlier trial), so Katib's tools see one trial of the front.
 */
export function bestTrial(trials: readonly TrialRecord[], direction: 'minimize' | 'maximize', metric?: string, objective?: ObjectiveSpec): TrialRecord | undefined {
  if (objective && isMultiObjective(objective)) return bestOfFront(objective, trials)
  const constrained = objective !== undefined && (objective.constraints?.length ?? 0) > 0
  let best: TrialRecord | undefined
  let latestText: TrialRecord | undefined
  for (const t of trials) {
    if (t.state !== 'Succeeded' && t.state !== 'EarlyStopped') continue
    // An infeasible trial is never best (docs/multiobjective.md), whatever its objective.
    if (constrained && !isFeasibleTrial(objective, t)) continue
    if (t.objective === null || !Number.isFinite(t.objective)) {
      if (metric !== undefined && t.state === 'Succeeded' && t.textMetrics && Object.hasOwn(t.textMetrics, metric)) {
        if (!latestText || t.number > latestText.number) latestText = t
      }
      continue
    }
    if (improves(direction, t.objective, best?.objective ?? undefined)) best = t
  }
  return best ?? latestText
}

/** Whether `value` beats the current best (strictly: ties keep the earlier trial). */
export function improves(direction: 'minimize' | 'maximize', value: number, best: number | undefined): boolean {
  if (!Number.isFinite(value)) return false
  if (best === undefined) return true
  return direction === 'minimize' ? value < best : value > best
}

function bestOfFront(objective: ObjectiveSpec, trials: readonly TrialRecord[]): TrialRecord | undefined {
  let best: TrialRecord | undefined
  for (const t of experimentFront(objective, trials).front) {
    if (improves(objective.type, t.objective ?? NaN, best?.objective ?? undefined)) best = t
  }
  return best
}
