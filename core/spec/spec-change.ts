/**
 * Katib's update rules for an experiment that already exists, as a pure decision shared by
 * `tunewell run` (a changed file) and `PATCH /api/v1/experiments/{name}`: only the three counts
 * may change; a completed experiment restarts only when it ended by MaxTrialsReached, its
 * resumePolicy allows it (LongRunning or FromVolume), and maxTrialCount grows. Otherwise the
 * refusal names what works: an extension (extend-spec.ts), allowed whatever the resumePolicy.
 */
import { InvalidSpecError } from '../errors.ts'
import type { Experiment } from './experiment-schema.ts'

export const EDITABLE_SPEC_FIELDS = ['parallelTrialCount', 'maxTrialCount', 'maxFailedTrialCount'] as const
export type EditableSpecField = (typeof EDITABLE_SPEC_FIELDS)[number]

export interface ExistingExperiment {
  readonly name: string
  readonly spec: Experiment
  /** Succeeded or Failed. */
  readonly completed: boolean
  /** Katib reason of the current state, e.g. `ExperimentMaxTrialsReached`. */
  readonly reason: string | null
  /** Trials created so far, in any state. */
  readonly trialCount: number
}

/** `restart`: a completed experiment goes back to Restarting with the new spec. */
export type SpecChange = { readonly kind: 'unchanged' } | { readonly kind: 'update' } | { readonly kind: 'restart' }

/**
 * Throws InvalidSpecError naming the offending field. `startOver` finishes messages about
 * changes that are never allowed, e.g. "run with --fresh to start over".
 */
export function checkSpecChange(current: ExistingExperiment, next: Experiment, startOver: string): SpecChange {
  const previous = current.spec
  const changed = diffPaths(stripEditable(previous), stripEditable(next))
  if (changed.length > 0) {
    throw new InvalidSpecError([{
      path: changed[0]!,
      message: `experiment "${current.name}" already exists with a different spec (${changed.slice(0, 3).join(', ')} changed); ` +
        'only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount can change. ' +
        `Rename metadata.name, or ${startOver}`,
    }])
  }
  const countsChanged = EDITABLE_SPEC_FIELDS.some((key) => previous.spec[key] !== next.spec[key])
  if (!countsChanged) return { kind: 'unchanged' }
  const trials = current.trialCount
  const max = next.spec.maxTrialCount
  if (!current.completed) {
    if (max !== undefined && max <= trials) {
      throw new InvalidSpecError([{ path: '/spec/maxTrialCount', message: `maxTrialCount ${max} must be greater than the ${trials} trials already created` }])
    }
    return { kind: 'update' }
  }
  const policy = next.spec.resumePolicy ?? 'Never'
  if (current.reason !== 'ExperimentMaxTrialsReached' || policy === 'Never') {
    // resumePolicy cannot change on an existing experiment, so the way that works is an extension.
    const extend = `to add trials to it whatever its resumePolicy, keep maxTrialCount as it was and run \`tunewell run FILE --more N\` ` +
      `(or POST /api/v1/experiments/${current.name}:extend {"trials": N})`
    throw new InvalidSpecError([{
      path: '/spec/maxTrialCount',
      message: current.reason !== 'ExperimentMaxTrialsReached'
        ? `experiment "${current.name}" ended with ${current.reason}, so a larger maxTrialCount does not restart it (Katib's rule); ${extend}; or ${startOver}`
        : `experiment "${current.name}" has resumePolicy Never, so a larger maxTrialCount does not restart it (Katib's rule); ${extend}`,
    }])
  }
  if (max !== undefined && max <= trials) {
    throw new InvalidSpecError([{ path: '/spec/maxTrialCount', message: `to restart, maxTrialCount must be greater than the ${trials} trials already run` }])
  }
  return { kind: 'restart' }
}

/**
 * What must not change: the spec but its counts, and the name and namespace. Labels and
 * annotations are free, as in Katib, whose webhook compares specs only: kubectl label, or the
 * last-applied annotation kubectl apply writes, must not make the original file "different".
 */
function stripEditable(experiment: Experiment): unknown {
  const spec: Record<string, unknown> = { ...experiment.spec }
  for (const key of EDITABLE_SPEC_FIELDS) delete spec[key]
  const { labels: _labels, annotations: _annotations, ...metadata } = experiment.metadata
  return { ...experiment, metadata, spec }
}

/** JSON paths where two plain JSON values differ. */
function diffPaths(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return []
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return [path || '/']
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].flatMap((k) => diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`))
}
