import { formatParamValue, inSpaceOrder } from '../../core/search-space.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { toSearchSpace, trialAssignments } from '../../core/spec/to-search-space.ts'
import type { MetricSummary } from '../../core/trial.ts'
import type { TrialRecord } from '../../db/store.ts'
import { trialStanding } from '../../lifecycle/best-front.ts'
import type { TrialView } from '../schemas/trial.ts'

/** JSON has no NaN or Infinity: a non-finite value is shown as null. */
export const finiteOrNull = (value: number | null | undefined): number | null =>
  value !== null && value !== undefined && Number.isFinite(value) ? value : null

export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null)

/**
 * Katib's parameterAssignments: values formatted the way Katib passes them to a trial; with the
 * experiment, a discrete value as written in its list (what the trial received).
 */
export function parameterAssignments(trial: Pick<TrialRecord, 'params'>, experiment?: Pick<Experiment, 'spec'>): { name: string; value: string }[] {
  if (experiment) return Object.entries(trialAssignments(experiment, trial.params)).map(([name, value]) => ({ name, value }))
  return Object.entries(trial.params).map(([name, value]) => ({ name, value: formatParamValue(value) }))
}

/** Katib's observation.metrics, sorted by name; `textMetrics` those reported only as text (TrialRecord.textMetrics). */
export function observation(
  metrics: Readonly<Record<string, MetricSummary>> | null,
  texts?: Readonly<Record<string, string>> | null,
): { metrics: { name: string; min: number; max: number; latest: number }[]; textMetrics?: { name: string; latest: string }[] } {
  const textMetrics = Object.entries(texts ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([name, latest]) => ({ name, latest }))
  return {
    metrics: Object.entries(metrics ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, m]) => ({ name, min: m.min, max: m.max, latest: m.latest })),
    ...(textMetrics.length > 0 ? { textMetrics } : {}),
  }
}

/** `metrics` overrides the stored summary, e.g. a live one for a trial that still runs; `experiment` see parameterAssignments. */
export function trialView(trial: TrialRecord, metrics?: Readonly<Record<string, MetricSummary>>, experiment?: Pick<Experiment, 'spec'>): TrialView {
  return {
    name: trial.name,
    number: trial.number,
    state: trial.state,
    reason: trial.reason,
    message: trial.message,
    // In the spec's order: jsonb keeps its own (shortest key first), and clients list the keys as they come.
    params: experiment ? Object.fromEntries(inSpaceOrder(toSearchSpace(experiment), trial.params)) : { ...trial.params },
    parameterAssignments: parameterAssignments(trial, experiment),
    objective: finiteOrNull(trial.objective),
    observation: observation(metrics ?? trial.metrics, trial.textMetrics),
    restarts: trial.restarts,
    parent: trial.parentTrialName,
    generation: trial.generation,
    createdAt: trial.createdAt.toISOString(),
    startedAt: isoOrNull(trial.startedAt),
    finishedAt: isoOrNull(trial.finishedAt),
    ...(experiment ? standingOf(trial, experiment) : {}),
  }
}

/** values, feasible and violations, for an experiment with several objectives or constraints. */
function standingOf(trial: TrialRecord, experiment: Pick<Experiment, 'spec'>): Pick<TrialView, 'values' | 'feasible' | 'violations'> {
  const objective = experiment.spec.objective
  if (objective.objectives === undefined && !objective.constraints?.length) return {}
  return trialStanding(objective, trial)
}
