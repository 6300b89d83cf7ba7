import { InvalidSpecError } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../db/store.ts'

const EDITABLE = ['parallelTrialCount', 'maxTrialCount', 'maxFailedTrialCount'] as const

/**
 * Running an experiment that already exists: Katib's update rules. Only the three counts may
 * change; a completed experiment restarts only when it ended by MaxTrialsReached and its
 * resumePolicy allows it (LongRunning or FromVolume), and only for a larger maxTrialCount.
 */
export async function reconcileSpecChange(store: Store, record: ExperimentRecord, next: Experiment): Promise<ExperimentRecord> {
  const previous = record.spec as Experiment
  const changed = diffPaths(stripEditable(previous), stripEditable(next))
  if (changed.length > 0) {
    throw new InvalidSpecError([{
      path: changed[0]!,
      message: `experiment "${record.name}" already exists with a different spec (${changed.slice(0, 3).join(', ')} changed); ` +
        'only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount can change. ' +
        'Rename metadata.name, or run with --fresh to discard the old experiment and its trials',
    }])
  }
  const countsChanged = EDITABLE.some((key) => previous.spec[key] !== next.spec[key])
  if (!countsChanged) return record
  const completed = record.state === 'Succeeded' || record.state === 'Failed'
  const trials = (await store.trials.list(record.id)).length
  if (next.spec.maxTrialCount !== undefined && next.spec.maxTrialCount <= trials && !completed) {
    throw new InvalidSpecError([{ path: '/spec/maxTrialCount', message: `maxTrialCount ${next.spec.maxTrialCount} must be greater than the ${trials} trials already created` }])
  }
  if (!completed) return store.experiments.update(record.id, { spec: next })
  const policy = next.spec.resumePolicy ?? 'Never'
  if (record.reason !== 'ExperimentMaxTrialsReached' || policy === 'Never') {
    throw new InvalidSpecError([{
      path: '/spec/maxTrialCount',
      message: record.reason !== 'ExperimentMaxTrialsReached'
        ? `experiment "${record.name}" ended with ${record.reason} and cannot be restarted; run with --fresh to start over`
        : `experiment "${record.name}" has resumePolicy Never and cannot be restarted; set spec.resumePolicy: LongRunning to add trials to a finished experiment`,
    }])
  }
  if (next.spec.maxTrialCount !== undefined && next.spec.maxTrialCount <= trials) {
    throw new InvalidSpecError([{ path: '/spec/maxTrialCount', message: `to restart, maxTrialCount must be greater than the ${trials} trials already run` }])
  }
  await store.events.append({ experimentId: record.id, type: 'experiment:state-changed', payload: { state: 'Restarting' } })
  return store.experiments.update(record.id, {
    spec: next, state: 'Restarting', reason: 'ExperimentRestarting', message: 'experiment is restarting with a larger budget', completedAt: null,
  })
}

function stripEditable(experiment: Experiment): unknown {
  const spec: Record<string, unknown> = { ...experiment.spec }
  for (const key of EDITABLE) delete spec[key]
  return { ...experiment, spec }
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
