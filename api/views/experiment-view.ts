import type { TrialState } from '../../core/trial.ts'
import type { ExperimentRecord, TrialRecord } from '../../db/store.ts'
import { objectivesOf } from '../../core/multiobjective/objectives.ts'
import type { ExperimentFront } from '../../lifecycle/best-front.ts'
import { isCompleted } from '../../lifecycle/is-completed.ts'
import type { ExperimentResource, ExperimentSummary } from '../schemas/experiment.ts'
import { finiteOrNull, isoOrNull, observation, parameterAssignments } from './trial-view.ts'

type Counts = Readonly<Record<TrialState, number>>

const total = (counts: Counts) => Object.values(counts).reduce((a, b) => a + b, 0)

/** The experiment as Katib shows it: its stored document with metadata filled in, plus status. */
export function experimentResource(record: ExperimentRecord, counts: Counts, best: TrialRecord | undefined, front?: ExperimentFront): ExperimentResource {
  const document = record.spec
  const objective = document.spec.objective
  return {
    apiVersion: document.apiVersion,
    kind: document.kind,
    metadata: { ...document.metadata, name: record.name, uid: record.id, creationTimestamp: record.createdAt.toISOString() },
    spec: document.spec,
    status: {
      state: record.state,
      reason: record.reason,
      message: record.message,
      conditions: conditions(record),
      startTime: isoOrNull(record.startedAt),
      completionTime: isoOrNull(record.completedAt),
      currentOptimalTrial: {
        bestTrialName: best?.name ?? '',
        parameterAssignments: best ? parameterAssignments(best, record.spec) : [],
        observation: observation(best?.metrics ?? null, best?.textMetrics),
      },
      trials: total(counts),
      trialsPending: counts.Pending,
      trialsRunning: counts.Running,
      trialsSucceeded: counts.Succeeded,
      trialsFailed: counts.Failed,
      trialsKilled: counts.Killed,
      trialsEarlyStopped: counts.EarlyStopped,
      trialMetricsUnavailable: counts.MetricsUnavailable,
    },
    objectives: objectivesOf(objective),
    constraints: [...(objective.constraints ?? [])],
    ...(front ? { paretoFront: front.front.map((t) => t.name), hypervolume: finiteOrNull(front.hypervolume), referencePoint: front.referencePoint } : {}),
  }
}

/** One row of the experiment list. */
export function experimentSummary(record: ExperimentRecord, counts: Counts, best: TrialRecord | undefined): ExperimentSummary {
  const { metadata, spec } = record.spec
  return {
    name: record.name,
    state: record.state,
    reason: record.reason,
    message: record.message,
    labels: { ...(metadata.labels ?? {}) },
    algorithmName: spec.algorithm.algorithmName,
    objective: { type: spec.objective.type, metricName: spec.objective.objectiveMetricName, goal: spec.objective.goal ?? null },
    parallelTrialCount: spec.parallelTrialCount ?? 3,
    maxTrialCount: spec.maxTrialCount ?? null,
    trials: { total: total(counts), ...counts },
    best: best ? { trialName: best.name, objective: finiteOrNull(best.objective) } : null,
    createdAt: record.createdAt.toISOString(),
    startedAt: isoOrNull(record.startedAt),
    completedAt: isoOrNull(record.completedAt),
  }
}

/**
 * Katib keeps a history of conditions; we store the current state only, so the list is rebuilt
 * from it and the timestamps we have: Created always, Running once it started (True while it
 * runs), and the terminal condition once completed.
 */
function conditions(record: ExperimentRecord): ExperimentResource['status']['conditions'] {
  const completed = isCompleted(record)
  const list: ExperimentResource['status']['conditions'] = [{
    type: 'Created', status: 'True', reason: 'ExperimentCreated', message: 'Experiment is created', lastTransitionTime: record.createdAt.toISOString(),
  }]
  if (record.state === 'Restarting') {
    list.push({ type: 'Restarting', status: 'True', reason: record.reason ?? 'ExperimentRestarting', message: record.message ?? '', lastTransitionTime: null })
  }
  if (record.startedAt) {
    const running = record.state === 'Running'
    list.push({
      type: 'Running',
      status: running ? 'True' : 'False',
      reason: running ? (record.reason ?? 'ExperimentRunning') : 'ExperimentRunning',
      message: running ? (record.message ?? '') : 'Experiment is not running',
      lastTransitionTime: isoOrNull(running ? record.startedAt : record.completedAt),
    })
  }
  if (completed) {
    list.push({ type: record.state, status: 'True', reason: record.reason ?? '', message: record.message ?? '', lastTransitionTime: isoOrNull(record.completedAt) })
  }
  return list
}
