import { activeGoal, type Experiment } from '../core/spec/index.ts'
import type { TrialState } from '../core/trial.ts'
import type { ExperimentState } from '../db/store.ts'

export interface PlanInput {
  readonly parallelTrialCount: number
  readonly maxTrialCount?: number
  readonly maxFailedTrialCount?: number
  readonly goal?: number
  readonly direction: 'minimize' | 'maximize'
  readonly counts: Readonly<Record<TrialState, number>>
  /** Objective of the current optimal trial, if any. */
  readonly best?: number
  /** The algorithm said no further suggestion is possible. */
  readonly exhausted: boolean
}

export interface Completion {
  readonly state: Extract<ExperimentState, 'Succeeded' | 'Failed'>
  readonly reason: string
  readonly message: string
}

export type Plan =
  | { readonly kind: 'complete'; readonly completion: Completion }
  /** `add` new trials are wanted (0 = just wait for running ones). */
  | { readonly kind: 'continue'; readonly add: number }

/**
 * Katib's experiment reconcile decision, in its order (goal, failures, budget), with two of its
 * bugs fixed: MetricsUnavailable trials count as completed in the creation arithmetic too (Katib
 * counts them for completion only and over-creates), and an exhausted search space ends the
 * experiment (`ExperimentSuggestionEndReached`, defined but never emitted by Katib).
 */
export function planExperiment(input: PlanInput): Plan {
  const c = input.counts
  if (input.goal !== undefined && input.best !== undefined && goalReached(input.direction, input.best, input.goal)) {
    return complete('Succeeded', 'ExperimentGoalReached', `objective ${input.best} reached the goal ${input.goal}`)
  }
  // Katib's status_util fails the experiment once failures *exceed* the limit: 0 tolerates none,
  // 3 fails on the fourth.
  const failed = c.Failed + c.MetricsUnavailable
  if (input.maxFailedTrialCount !== undefined && failed > input.maxFailedTrialCount) {
    return complete('Failed', 'ExperimentFailed', `${failed} ${failed === 1 ? 'trial' : 'trials'} failed, more than maxFailedTrialCount ${input.maxFailedTrialCount}`)
  }
  const completed = c.Succeeded + c.Failed + c.Killed + c.EarlyStopped + c.MetricsUnavailable
  if (input.maxTrialCount !== undefined && completed >= input.maxTrialCount) {
    return complete('Succeeded', 'ExperimentMaxTrialsReached', `${completed} of maxTrialCount ${input.maxTrialCount} trials completed`)
  }
  const active = c.Pending + c.Running
  if (input.exhausted) {
    if (active > 0) return { kind: 'continue', add: 0 }
    if (completed === 0) return complete('Failed', 'ExperimentFailed', 'the algorithm produced no trial for this search space')
    return complete('Succeeded', 'ExperimentSuggestionEndReached', `the search space is exhausted after ${completed} trials`)
  }
  const required =
    input.maxTrialCount === undefined
      ? input.parallelTrialCount
      : Math.min(input.parallelTrialCount, input.maxTrialCount - completed)
  return { kind: 'continue', add: Math.max(0, required - active) }
}

/** The plan's input from an experiment's spec and its current counts (the runner and ask/tell alike). */
export function planInputFor(
  experiment: Experiment,
  counts: Readonly<Record<TrialState, number>>,
  best: number | undefined,
  exhausted: boolean,
): PlanInput {
  const spec = experiment.spec
  const goal = activeGoal(experiment)
  return {
    parallelTrialCount: spec.parallelTrialCount ?? 3,
    ...(spec.maxTrialCount !== undefined ? { maxTrialCount: spec.maxTrialCount } : {}),
    ...(spec.maxFailedTrialCount !== undefined ? { maxFailedTrialCount: spec.maxFailedTrialCount } : {}),
    ...(goal !== undefined ? { goal } : {}),
    direction: spec.objective.type,
    counts,
    ...(best !== undefined ? { best } : {}),
    exhausted,
  }
}

export function goalReached(direction: 'minimize' | 'maximize', value: number, goal: number): boolean {
  return direction === 'minimize' ? value <= goal : value >= goal
}

function complete(state: Completion['state'], reason: string, message: string): Plan {
  return { kind: 'complete', completion: { state, reason, message } }
}
