/**
 * How many trials one experiment may run at once on this server or `run`: Katib lets a cluster
 * decide (a pod waits for room), but here every parallel trial is a child process with its pipes
 * and log, created up front, so `parallelTrialCount: 1000000000` would exhaust memory before the
 * first trial started, and again after every restart. 256 is more than any one machine runs
 * usefully (a core per trial is already generous), and the operator can raise it.
 */
import type { SpecIssue } from '../errors.ts'
import type { Experiment } from './experiment-schema.ts'
import { DEFAULT_PARALLEL_TRIAL_COUNT } from './apply-defaults.ts'
import { MAX_KATIB_COUNT } from './validate-experiment.ts'

export const DEFAULT_MAX_PARALLEL_TRIALS = 256
export const MAX_PARALLEL_TRIALS_ENV = 'TUNEWELL_MAX_PARALLEL_TRIALS'

/**
 * Refuses an experiment that asks for more parallel trials than `limit`. `raise` says how this
 * process's limit is set, e.g. "start `tunewell serve` with --max-parallel-trials N".
 */
export function parallelLimitIssues(experiment: Experiment, limit: number, raise: string): SpecIssue[] {
  const parallel = experiment.spec.parallelTrialCount ?? DEFAULT_PARALLEL_TRIAL_COUNT
  if (parallel <= limit) return []
  return [{
    path: '/spec/parallelTrialCount',
    message: `parallelTrialCount ${parallel} is above the limit of ${limit} trials at once (--max-parallel-trials, ${MAX_PARALLEL_TRIALS_ENV}); lower it, or ${raise}`,
  }]
}

/** The limit from a flag or the environment: a whole number from 1 to Katib's int32 maximum. */
export function parseMaxParallelTrials(text: string | undefined): number | undefined {
  if (text === undefined) return DEFAULT_MAX_PARALLEL_TRIALS
  const value = Number(text)
  return /^\s*\d+\s*$/.test(text) && value >= 1 && value <= MAX_KATIB_COUNT ? value : undefined
}

export const MAX_PARALLEL_TRIALS_USAGE = `--max-parallel-trials (or ${MAX_PARALLEL_TRIALS_ENV}) must be a whole number from 1 to ${MAX_KATIB_COUNT}`
