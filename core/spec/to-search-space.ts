/**
 * From a validated Experiment to what algorithms and the controller consume: parsed numbers,
 * defaults filled in, metric names in Katib's order (objective first).
 */
import type { MetricStrategy } from '../metric.ts'
import { formatAssignments, formatParamValue, type Parameter, type Params, type SearchSpace } from '../search-space.ts'
import type { Experiment, ParameterSpec } from './experiment-schema.ts'
import { parseKatibNumber } from './parse-katib-number.ts'
import { constraintsOf, objectivesOf } from '../multiobjective/objectives.ts'

export function toSearchSpace(experiment: Pick<Experiment, 'spec'>): SearchSpace {
  return (experiment.spec.parameters ?? []).map(toParameter)
}

function toParameter(spec: ParameterSpec): Parameter {
  const space = spec.feasibleSpace
  switch (spec.parameterType) {
    case 'categorical':
      return { name: spec.name, type: 'categorical', choices: [...(space.list ?? [])] }
    case 'discrete': {
      const written = space.list ?? []
      const choices = written.map((v) => number(v, spec.name))
      // Kept only where it matters: "0.10" reaches the trial as "0.10", not as 0.1 prints.
      const differs = written.some((text, i) => text !== formatParamValue(choices[i]!))
      return { name: spec.name, type: 'discrete', choices, ...(differs ? { written: [...written] } : {}) }
    }
    default: {
      const step = space.step === undefined || space.step === '' ? undefined : number(space.step, spec.name)
      return {
        name: spec.name,
        type: spec.parameterType,
        min: number(space.min, spec.name),
        max: number(space.max, spec.name),
        ...(step === undefined ? {} : { step }),
        distribution: space.distribution ?? 'uniform',
      }
    }
  }
}

/** The experiment was validated; a bad number here means it was not, which is a caller bug. */
function number(text: string | undefined, parameter: string): number {
  const value = text === undefined ? undefined : parseKatibNumber(text)
  if (value === undefined) throw new Error(`parameter "${parameter}": ${JSON.stringify(text)} is not a number; validate the experiment before toSearchSpace`)
  return value
}

/**
 * A trial's parameters as strings, the way the trial receives them: what `${trialParameters.x}`
 * is replaced with, and Katib's parameterAssignments (a discrete value as written in its list).
 */
export function trialAssignments(experiment: Pick<Experiment, 'spec'>, params: Params): Record<string, string> {
  return formatAssignments(toSearchSpace(experiment), params)
}

/**
 * Objective first, then additional metrics: the order Katib's collectors report in; then the
 * further objectives and the constraint metrics of the multi-objective extension, which are
 * collected alike without being listed twice.
 */
export function metricNames(experiment: Pick<Experiment, 'spec'>): string[] {
  const objective = experiment.spec.objective
  const names = [objective.objectiveMetricName, ...(objective.additionalMetricNames ?? [])]
  if (!objective.objectives && !objective.constraints) return names
  const extra = [...objectivesOf(objective).map((o) => o.metric), ...constraintsOf(objective).map((c) => c.metric)]
  return [...new Set([...names, ...extra])]
}

/** The strategy a metric is reduced with; when none is set, Katib's default by objective direction. */
export function strategyFor(experiment: Experiment, metricName: string): MetricStrategy {
  const objective = experiment.spec.objective
  const set = objective.metricStrategies?.find((s) => s.name === metricName)
  if (set) return set.value
  const further = objectivesOf(objective).find((o) => o.metric === metricName)
  if (further) return further.direction === 'minimize' ? 'min' : 'max'
  if (constraintsOf(objective).some((c) => c.metric === metricName)) return 'latest'
  return objective.type === 'minimize' ? 'min' : 'max'
}
