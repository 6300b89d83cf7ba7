import type { SpecIssue } from '../../core/errors.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { parallelLimitIssues } from '../../core/spec/index.ts'

/**
 * The server's admission check with its parallel-trial limit in front: every submission,
 * validation and PATCH goes through it, so an experiment above the limit is never stored.
 */
export function withParallelLimit(
  admit: ((experiment: Experiment) => readonly SpecIssue[]) | undefined,
  limit: number,
): (experiment: Experiment) => readonly SpecIssue[] {
  return (experiment) => [
    ...parallelLimitIssues(experiment, limit, 'start `tunewell serve` with a higher --max-parallel-trials'),
    ...(admit?.(experiment) ?? []),
  ]
}
