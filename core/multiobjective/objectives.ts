/**
 * The objectives and constraints of an experiment (issue 19, docs/multiobjective.md), read from
 * its `spec.objective`: Katib's `objectiveMetricName`/`type` is always the first objective, the
 * `objectives` extension lists further ones (Kubeflow OptimizationJob's shape), and
 * `constraints` are bounds on reported metrics written as `METRIC <= NUMBER` or `METRIC >= NUMBER`.
 * Violations follow Optuna's convention: value - bound for `<=`, bound - value for `>=`, so a
 * trial is feasible when every violation is <= 0.
 */
import type { ObjectiveSpec } from '../spec/experiment-schema.ts'
import { parseKatibNumber } from '../spec/parse-katib-number.ts'

export type ObjectiveDirection = 'minimize' | 'maximize'

export interface ObjectiveDef {
  readonly metric: string
  readonly direction: ObjectiveDirection
}

export interface ConstraintDef {
  readonly metric: string
  readonly op: '<=' | '>='
  readonly bound: number
  /** As written in the spec: what the API and the dashboard show. */
  readonly text: string
}

/** The spec fields read here; a stored spec has all of them once Katib's defaults applied. */
export type ObjectiveFields = Pick<ObjectiveSpec, 'type' | 'objectiveMetricName' | 'objectives' | 'constraints' | 'referencePoint'>

/** The forms a constraint may take, for error messages. */
export const CONSTRAINT_FORMS = '"METRIC <= NUMBER" or "METRIC >= NUMBER", e.g. "latency_ms <= 50"'

const CONSTRAINT = /^\s*(\S+?)\s*(<=|>=)\s*(\S+)\s*$/

/** One constraint's text, or undefined where it is not one of CONSTRAINT_FORMS. */
export function parseConstraint(text: string): ConstraintDef | undefined {
  const match = CONSTRAINT.exec(text)
  if (!match) return undefined
  const [, metric, op, number] = match
  if (/[<>=]/.test(metric!)) return undefined
  const bound = parseKatibNumber(number!)
  if (bound === undefined) return undefined
  return { metric: metric!, op: op as '<=' | '>=', bound, text: text.trim() }
}

/** objectiveMetricName/type, then the `objectives` entries that name another metric (spec order). */
export function objectivesOf(objective: ObjectiveFields): ObjectiveDef[] {
  const first: ObjectiveDef = { metric: objective.objectiveMetricName, direction: objective.type }
  const rest = (objective.objectives ?? [])
    .filter((entry) => entry.metric !== objective.objectiveMetricName)
    .map((entry) => ({ metric: entry.metric, direction: entry.direction.toLowerCase() as ObjectiveDirection }))
  return [first, ...rest]
}

/** Whether the experiment has two objectives or more. */
export function isMultiObjective(objective: ObjectiveFields): boolean {
  return objectivesOf(objective).length >= 2
}

/** The constraints, in spec order; a text that is no constraint (an unvalidated spec) is skipped. */
export function constraintsOf(objective: Pick<ObjectiveSpec, 'constraints'>): ConstraintDef[] {
  return (objective.constraints ?? []).flatMap((text) => parseConstraint(text) ?? [])
}

/** Every objective turned into one to minimise (maximised ones negated). */
export function toMinimized(values: readonly number[], directions: readonly ObjectiveDirection[]): number[] {
  return values.map((value, i) => (directions[i] === 'maximize' ? -value : value))
}

/** How far `value` breaks `constraint`: > 0 broken, <= 0 kept. */
export function violation(constraint: ConstraintDef, value: number): number {
  return constraint.op === '<=' ? value - constraint.bound : constraint.bound - value
}
