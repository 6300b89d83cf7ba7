/**
 * Adding trials to an experiment (`tunewell run FILE --more N`, `POST .../{name}:extend`), as
 * Optuna's `optimize` called again or Katib's raise of maxTrialCount, but whatever the
 * resumePolicy: a pure decision on the stored spec. The trials added are remembered in an
 * annotation so that running the unchanged file again is not a spec change (its
 * maxTrialCount is read as the file's plus the trials added), and an experiment that ended by
 * its goal remembers that the goal was lifted: otherwise the goal, already reached, would end it
 * again before the first added trial.
 */
import { InvalidSpecError } from '../errors.ts'
import type { Experiment } from './experiment-schema.ts'
import { MAX_KATIB_COUNT } from './validate-experiment.ts'

/** Trials added so far by extensions, on top of the maxTrialCount the experiment was submitted with. */
export const ADDED_TRIALS_ANNOTATION = 'tunewell.dev/added-trials'
/** Set when an experiment that reached its goal was extended: the goal no longer ends it. */
export const GOAL_LIFTED_ANNOTATION = 'tunewell.dev/goal-lifted'

export interface ExtensionTarget {
  readonly name: string
  readonly spec: Experiment
  readonly state: string
  /** Katib reason of the current state. */
  readonly reason: string | null
  /** Trials created so far, in any state. */
  readonly trialCount: number
}

/** The spec with `trials` more in maxTrialCount. Throws InvalidSpecError at `/trials` or `/spec/maxTrialCount`. */
export function extendSpec(current: ExtensionTarget, trials: number): Experiment {
  if (!Number.isInteger(trials) || trials < 1) {
    throw new InvalidSpecError([{ path: '/trials', message: `the number of trials to add must be a whole number of at least 1, got ${JSON.stringify(trials)}` }])
  }
  if (current.state === 'Failed') {
    throw new InvalidSpecError([{
      path: '/spec/maxFailedTrialCount',
      message: `experiment "${current.name}" failed (${current.reason ?? 'no reason'}); more trials would fail it again. ` +
        'Fix the cause and raise spec.maxFailedTrialCount, or start it over',
    }])
  }
  if (current.reason === 'ExperimentSuggestionEndReached') {
    throw new InvalidSpecError([{ path: '/spec/algorithm', message: `experiment "${current.name}" tried every point of its search space; there is nothing left to add` }])
  }
  const spec = current.spec.spec
  const max = spec.maxTrialCount
  const completed = current.state === 'Succeeded'
  // Unbounded and still running: it already has room for any number of trials.
  if (max === undefined && !completed) return current.spec
  // N more than it has: a completed experiment ran all its trials (one that reached its goal or
  // was stopped may have had room left, which is not added on top); a running one gets N more
  // than it would have run.
  const nextMax = (completed ? current.trialCount : max!) + trials
  if (nextMax > MAX_KATIB_COUNT) {
    throw new InvalidSpecError([{ path: '/spec/maxTrialCount', message: `maxTrialCount would become ${nextMax}, above Katib's limit ${MAX_KATIB_COUNT}` }])
  }
  const annotations: Record<string, string> = { ...(current.spec.metadata.annotations ?? {}) }
  // An unbounded file keeps the stored count (carryExtension), so only a bounded one needs the difference.
  if (max !== undefined) annotations[ADDED_TRIALS_ANNOTATION] = String(addedTrials(current.spec) + nextMax - max)
  if (current.reason === 'ExperimentGoalReached') annotations[GOAL_LIFTED_ANNOTATION] = 'true'
  return {
    ...current.spec,
    metadata: { ...current.spec.metadata, annotations },
    spec: { ...spec, maxTrialCount: nextMax },
  }
}

/**
 * What extensions changed maxTrialCount by, so far (0 when never extended). Negative when a
 * stopped experiment with room left was given fewer than that room.
 */
export function addedTrials(experiment: Experiment): number {
  const text = experiment.metadata?.annotations?.[ADDED_TRIALS_ANNOTATION]
  const n = text === undefined ? NaN : Number(text)
  return Number.isSafeInteger(n) ? n : 0
}

/** The goal that still ends the experiment: none once an extension lifted it. */
export function activeGoal(experiment: Experiment): number | undefined {
  if (experiment.metadata?.annotations?.[GOAL_LIFTED_ANNOTATION] === 'true') return undefined
  return experiment.spec.objective.goal
}

/**
 * The file's spec as it applies to a stored experiment that was extended: the trials added stay
 * on top of the file's maxTrialCount (an unbounded file keeps the stored count), and the
 * extension's annotations are kept. Unchanged for an experiment never extended.
 */
export function carryExtension(stored: Experiment, next: Experiment): Experiment {
  const added = addedTrials(stored)
  const lifted = stored.metadata.annotations?.[GOAL_LIFTED_ANNOTATION]
  if (stored.metadata.annotations?.[ADDED_TRIALS_ANNOTATION] === undefined && lifted === undefined) return next
  const annotations: Record<string, string> = { ...(next.metadata.annotations ?? {}) }
  if (added !== 0) annotations[ADDED_TRIALS_ANNOTATION] = String(added)
  if (lifted !== undefined) annotations[GOAL_LIFTED_ANNOTATION] = lifted
  const fileMax = next.spec.maxTrialCount
  const maxTrialCount = fileMax === undefined ? stored.spec.maxTrialCount : fileMax + added
  return {
    ...next,
    metadata: { ...next.metadata, annotations },
    spec: { ...next.spec, ...(maxTrialCount !== undefined ? { maxTrialCount } : {}) },
  }
}
