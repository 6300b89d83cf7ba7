/**
 * Where each trial stands on an experiment's objectives and constraints (docs/multiobjective.md):
 * its objective vector, whether it is feasible and which constraints it broke, and for a
 * multi-objective experiment the Pareto front of the feasible Succeeded trials with its
 * hypervolume. Pure: trials in, status out; the API, the CLI, the Katib status and /metrics read it.
 */
import { hypervolume } from '../core/multiobjective/hypervolume.ts'
import { constraintsOf, objectivesOf, toMinimized, type ObjectiveFields } from '../core/multiobjective/objectives.ts'
import { paretoFront } from '../core/multiobjective/pareto-front.ts'
import { defaultReferencePoint } from '../core/multiobjective/reference-point.ts'
import { constraintViolations, isFeasible, objectiveValues } from '../core/multiobjective/trial-vector.ts'
import type { ObjectiveSpec } from '../core/spec/experiment-schema.ts'
import type { TrialRecord } from '../db/store.ts'

type Spec = ObjectiveFields & Pick<ObjectiveSpec, 'metricStrategies'>

/** A broken constraint: its text and by how much (null: its metric was never reported). */
export interface BrokenConstraint {
  readonly constraint: string
  readonly violation: number | null
}

export interface TrialStanding {
  /** Every objective's value in spec order, raw; null unless the trial has them all. */
  readonly values: number[] | null
  /** Null for a trial that did not complete with metrics (not Succeeded or EarlyStopped). */
  readonly feasible: boolean | null
  /** The constraints it broke, in spec order; empty when feasible or unknown. */
  readonly violations: BrokenConstraint[]
}

/** Trials whose metrics count: those that ended with their metrics (as bestTrial admits them). */
const scored = (trial: TrialRecord) => trial.state === 'Succeeded' || trial.state === 'EarlyStopped'

export function trialStanding(objective: Spec, trial: TrialRecord): TrialStanding {
  if (!scored(trial)) return { values: null, feasible: null, violations: [] }
  const values = objectiveValues(objective, trial.metrics, trial.objective) ?? null
  const constraints = constraintsOf(objective)
  const amounts = constraintViolations(objective, trial.metrics)
  const violations = constraints.flatMap((c, i) => (amounts[i]! > 0 ? [{ constraint: c.text, violation: Number.isFinite(amounts[i]) ? amounts[i]! : null }] : []))
  return { values, feasible: isFeasible(amounts), violations }
}

/** Whether the trial broke no constraint (true without constraints); its metrics are what counts. */
export function isFeasibleTrial(objective: Spec, trial: TrialRecord): boolean {
  return !objective.constraints?.length || isFeasible(constraintViolations(objective, trial.metrics))
}

export interface ExperimentFront {
  /** Feasible Succeeded trials no other such trial dominates, by number. */
  readonly front: TrialRecord[]
  /** Of the front, in minimised coordinates, against `referencePoint`; null before the first feasible trial. */
  readonly hypervolume: number | null
  /** spec.objective.referencePoint, else the default (reference-point.ts); raw coordinates; null before the first feasible trial. */
  readonly referencePoint: number[] | null
}

/** The Pareto front of a multi-objective experiment's trials (any number of objectives works). */
export function experimentFront(objective: Spec, trials: readonly TrialRecord[]): ExperimentFront {
  const directions = objectivesOf(objective).map((o) => o.direction)
  const candidates: { trial: TrialRecord; point: number[] }[] = []
  for (const trial of trials) {
    if (trial.state !== 'Succeeded' || !isFeasibleTrial(objective, trial)) continue
    const values = objectiveValues(objective, trial.metrics, trial.objective)
    if (values) candidates.push({ trial, point: toMinimized(values, directions) })
  }
  candidates.sort((a, b) => a.trial.number - b.trial.number)
  const points = candidates.map((c) => c.point)
  // The spec's reference point (as reported) when it gives one, else one that follows the trials.
  const reference = points.length === 0 ? undefined : objective.referencePoint ? toMinimized(objective.referencePoint, directions) : defaultReferencePoint(points)
  if (!reference) return { front: [], hypervolume: null, referencePoint: null }
  const front = paretoFront(points).sort((a, b) => a - b)
  return {
    front: front.map((i) => candidates[i]!.trial),
    hypervolume: hypervolume(front.map((i) => points[i]!), reference),
    referencePoint: toMinimized(reference, directions),
  }
}
