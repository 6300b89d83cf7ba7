import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { toSearchSpace } from '../core/spec/index.ts'
import { validateAlgorithm } from '../algorithms/index.ts'

/**
 * Katib's ValidateAlgorithmSettings, at creation instead of at the first suggestion: an unknown
 * algorithm, a bad setting or a search space the algorithm cannot handle is reported with the
 * path of the offending field, before any trial runs.
 */
export function checkAlgorithm(experiment: Experiment): SpecIssue[] {
  const { algorithmName, algorithmSettings } = experiment.spec.algorithm
  const { issues } = validateAlgorithm(algorithmName, algorithmSettings ?? [], toSearchSpace(experiment), {
    parallelTrialCount: experiment.spec.parallelTrialCount ?? 3,
    ...(experiment.spec.maxTrialCount !== undefined ? { maxTrialCount: experiment.spec.maxTrialCount } : {}),
  })
  return issues.map((issue) => ({
    path: issue.path.startsWith('/spec/') ? issue.path : `/spec/algorithm${issue.path}`,
    message: issue.message,
  }))
}
