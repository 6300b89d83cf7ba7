/**
 * From a validated Experiment to what algorithms and the controller consume: parsed numbers,
 * defaults filled in, metric names in Katib's order (objective first).
 */
import type { MetricStrategy } from '../metric.ts'
import type { Parameter, SearchSpace } from '../search-space.ts'
import type { Experiment, ParameterSpec } from './experiment-schema.ts'
import { parseKatibNumber } from './parse-katib-number.ts'

export function toSearchSpace(experiment: Experiment): SearchSpace {
  return (experiment.spec.parameters ?? []).map(toParameter)
}

function toParameter(spec: ParameterSpec): Parameter {
  const space = spec.feasibleSpace
  switch (spec.parameterType) {
    case 'categorical':
      return { name: spec.name, type: 'categorical', choices: [...(space.list ?? [])] }
    case 'discrete':
      return { name: spec.name, type: 'discrete', choices: (space.list ?? []).map((v) => number(v, spec.name)) }
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

/** Objective first, then additional metrics: the order Katib's collectors report in. */
export function metricNames(experiment: Pick<Experiment, 'spec'>): string[] {
  const objective = experiment.spec.objective
  return [objective.objectiveMetricName, ...(objective.additionalMetricNames ?? [])]
}

/** The strategy a metric is reduced with; when none is set, Katib's default by objective direction. */
export function strategyFor(experiment: Experiment, metricName: string): MetricStrategy {
  const objective = experiment.spec.objective
  const set = objective.metricStrategies?.find((s) => s.name === metricName)
  if (set) return set.value
  return objective.type === 'minimize' ? 'min' : 'max'
}
