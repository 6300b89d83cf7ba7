/**
 * A completed trial's objective vector and constraint violations, read from its per-metric
 * summaries (min/max/latest) with each metric's strategy: the `metricStrategies` entry, else its
 * own direction for an objective (min for minimize, max for maximize) and `latest` for a
 * constraint metric.
 */
import type { MetricStrategy } from '../metric.ts'
import type { ObjectiveSpec } from '../spec/experiment-schema.ts'
import type { MetricSummary } from '../trial.ts'
import { constraintsOf, objectivesOf, violation, type ObjectiveFields } from './objectives.ts'

type Summaries = Readonly<Record<string, MetricSummary>> | null | undefined
type Spec = ObjectiveFields & Pick<ObjectiveSpec, 'metricStrategies'>

function strategyOf(objective: Spec, metric: string, fallback: MetricStrategy): MetricStrategy {
  return objective.metricStrategies?.find((s) => s.name === metric)?.value ?? fallback
}

/**
 * Each objective's value in spec order, raw (not sign-flipped); undefined unless every one is a
 * finite number. `first`, when given, is the first objective as the trial recorded it (a told
 * value, which may differ from what the strategy picks over the reported points).
 */
export function objectiveValues(objective: Spec, metrics: Summaries, first?: number | null): number[] | undefined {
  const values: number[] = []
  for (const [i, def] of objectivesOf(objective).entries()) {
    const value = i === 0 && first !== undefined && first !== null
      ? first
      : metrics?.[def.metric]?.[strategyOf(objective, def.metric, def.direction === 'minimize' ? 'min' : 'max')]
    if (value === undefined || !Number.isFinite(value)) return undefined
    values.push(value)
  }
  return values
}

/**
 * The violation of each constraint in spec order (<= 0 kept); a metric the trial never reported
 * as a finite number counts as broken (+Infinity). Empty without constraints.
 */
export function constraintViolations(objective: Spec, metrics: Summaries): number[] {
  return constraintsOf(objective).map((constraint) => {
    const value = metrics?.[constraint.metric]?.[strategyOf(objective, constraint.metric, 'latest')]
    return value === undefined || !Number.isFinite(value) ? Number.POSITIVE_INFINITY : violation(constraint, value)
  })
}

/** Every violation <= 0 (no constraints: feasible). */
export function isFeasible(violations: readonly number[]): boolean {
  return violations.every((v) => v <= 0)
}
