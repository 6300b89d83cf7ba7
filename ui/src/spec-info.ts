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
  readonly objective: {
    readonly type: 'minimize' | 'maximize'
    readonly metric: string
    readonly goal: number | undefined
    /** How a trial's series of the objective metric became its objective (metricStrategies; by default the direction's). */
    readonly strategy: 'min' | 'max' | 'latest'
  }
  readonly metrics: readonly string[]
  /**
   * An architecture search whose trials carry `architecture` and `nn_config` instead of
   * parameters (spec.nasConfig; not darts, whose trials get its settings and search space).
   */
  readonly nas: boolean
}

interface LooseSpec {
  objective?: { type?: string; objectiveMetricName?: string; additionalMetricNames?: string[]; goal?: number; metricStrategies?: { name?: string; value?: string }[] }
  parameters?: { name: string; parameterType: ParameterInfo['type']; feasibleSpace?: { list?: string[]; distribution?: string } }[]
  nasConfig?: unknown
  algorithm?: { algorithmName?: string }
}

/** What the charts need from the stored spec (the API types it loosely: it is the user's document). */
export function specInfo(experiment: ExperimentResource): SpecInfo {
  const spec = experiment.spec as LooseSpec
  const objective = spec.objective ?? {}
  const metric = objective.objectiveMetricName ?? 'objective'
  const type = objective.type === 'maximize' ? 'maximize' : 'minimize'
  const set = objective.metricStrategies?.find((s) => s.name === metric)?.value
  const strategy = set === 'min' || set === 'max' || set === 'latest' ? set : type === 'maximize' ? 'max' : 'min'
  return {
    parameters: (spec.parameters ?? []).map((p) => ({
      name: p.name,
      type: p.parameterType,
      log: /log/i.test(p.feasibleSpace?.distribution ?? ''),
      values: p.parameterType === 'categorical' ? p.feasibleSpace?.list ?? [] : undefined,
      ...(p.parameterType === 'discrete' ? { written: p.feasibleSpace?.list ?? [] } : {}),
    })),
    objective: { type, metric, goal: objective.goal, strategy },
    metrics: [metric, ...(objective.additionalMetricNames ?? [])],
    nas: spec.nasConfig !== undefined && spec.nasConfig !== null && spec.algorithm?.algorithmName !== 'darts',
  }
}

/** The states whose trials the server may pick as best (lifecycle/best-trial.ts). */
const CAN_BE_BEST = new Set(['Succeeded', 'EarlyStopped'])

/**
 * Best first, as the server picks the best trial: succeeded and early-stopped trials by the
 * objective's direction, ties to the earlier trial; then those with a value that cannot be best
 * (a failed or killed trial that reported one); trials without a value last. So row 1 of a table
 * sorted by objective is the best trial. `worstFirst` reverses the order of those with a value.
 */
export function compareObjective(info: SpecInfo, worstFirst = false) {
  const sign = (info.objective.type === 'minimize' ? 1 : -1) * (worstFirst ? -1 : 1)
  return (a: TrialRow, b: TrialRow) => {
    if (a.objective === null) return b.objective === null ? a.number - b.number : 1
    if (b.objective === null) return -1
    const group = Number(!CAN_BE_BEST.has(a.state)) - Number(!CAN_BE_BEST.has(b.state))
    return (worstFirst ? -group : group) || sign * (a.objective - b.objective) || (worstFirst ? b.number - a.number : a.number - b.number)
  }
}

/** The objective of a trial as text where it was reported only as text (a DARTS genotype). */
export function textObjective(trial: TrialRow, info: SpecInfo): string | undefined {
  return trial.objective === null ? trial.texts?.[info.objective.metric] ?? undefined : undefined
}

export function latestMetric(trial: TrialRow, name: string): number | undefined {
  return trial.metrics[name] ?? undefined
}
