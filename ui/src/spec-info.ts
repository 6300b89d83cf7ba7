import type { ExperimentResource } from './api-types.ts'
import type { TrialRow } from './trial-row.ts'

export interface ParameterInfo {
  readonly name: string
  readonly type: 'double' | 'int' | 'discrete' | 'categorical'
  readonly log: boolean
  /** Categorical values in spec order (discrete ones are numbers). */
  readonly values: readonly string[] | undefined
  /** A discrete parameter's list as written ("0.10"): what its trials receive (parameter-value.ts). */
  readonly written?: readonly string[]
}

export interface SpecInfo {
  readonly parameters: readonly ParameterInfo[]
  readonly objective: { readonly type: 'minimize' | 'maximize'; readonly metric: string; readonly goal: number | undefined }
  readonly metrics: readonly string[]
  /**
   * An architecture search whose trials carry `architecture` and `nn_config` instead of
   * parameters (spec.nasConfig; not darts, whose trials get its settings and search space).
   */
  readonly nas: boolean
}

interface LooseSpec {
  objective?: { type?: string; objectiveMetricName?: string; additionalMetricNames?: string[]; goal?: number }
  parameters?: { name: string; parameterType: ParameterInfo['type']; feasibleSpace?: { list?: string[]; distribution?: string } }[]
  nasConfig?: unknown
  algorithm?: { algorithmName?: string }
}

/** What the charts need from the stored spec (the API types it loosely: it is the user's document). */
export function specInfo(experiment: ExperimentResource): SpecInfo {
  const spec = experiment.spec as LooseSpec
  const objective = spec.objective ?? {}
  const metric = objective.objectiveMetricName ?? 'objective'
  return {
    parameters: (spec.parameters ?? []).map((p) => ({
      name: p.name,
      type: p.parameterType,
      log: /log/i.test(p.feasibleSpace?.distribution ?? ''),
      values: p.parameterType === 'categorical' ? p.feasibleSpace?.list ?? [] : undefined,
      ...(p.parameterType === 'discrete' ? { written: p.feasibleSpace?.list ?? [] } : {}),
    })),
    objective: { type: objective.type === 'maximize' ? 'maximize' : 'minimize', metric, goal: objective.goal },
    metrics: [metric, ...(objective.additionalMetricNames ?? [])],
    nas: spec.nasConfig !== undefined && spec.nasConfig !== null && spec.algorithm?.algorithmName !== 'darts',
  }
}

/** Best first: the objective's direction, trials without a value last. */
export function compareObjective(info: SpecInfo) {
  const sign = info.objective.type === 'minimize' ? 1 : -1
  return (a: TrialRow, b: TrialRow) => {
    if (a.objective === null) return b.objective === null ? a.number - b.number : 1
    if (b.objective === null) return -1
    return sign * (a.objective - b.objective) || a.number - b.number
  }
}

/** The objective of a trial as text where it was reported only as text (a DARTS genotype). */
export function textObjective(trial: TrialRow, info: SpecInfo): string | undefined {
  return trial.objective === null ? trial.texts?.[info.objective.metric] ?? undefined : undefined
}

export function latestMetric(trial: TrialRow, name: string): number | undefined {
  return trial.metrics[name] ?? undefined
}
