import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { toSearchSpace } from '../core/spec/index.ts'
import { getAlgorithm, PLANNED_ALGORITHM_NAMES, validateAlgorithm } from '../algorithms/index.ts'
import { validateEarlyStopping } from '../algorithms/early-stopping/early-stopping-registry.ts'

export interface AlgorithmCheck {
  /** The experiment is invalid. */
  readonly issues: SpecIssue[]
  /** Accepted, but probably not what was meant (e.g. hyperband's r_l above the resource's max). */
  readonly warnings: SpecIssue[]
  /**
   * Valid Katib that this version cannot run yet (enas, darts): `validate` accepts it with a
   * note; `run` and a submission to `serve` refuse it.
   */
  readonly unsupported: SpecIssue[]
}

/**
 * Katib's ValidateAlgorithmSettings, at creation instead of at the first suggestion: an unknown
 * algorithm, a bad setting or a search space the algorithm cannot handle is reported with the
 * path of the offending field, before any trial runs.
 */
export function checkAlgorithm(experiment: Experiment): AlgorithmCheck {
  const { algorithmName, algorithmSettings } = experiment.spec.algorithm
  if (PLANNED_ALGORITHM_NAMES.includes(algorithmName)) {
    const { issues } = validateAlgorithm(algorithmName, [], [], { parallelTrialCount: 1 })
    return { issues: [], warnings: [], unsupported: issues.map((issue) => ({ path: '/spec/algorithm/algorithmName', message: issue.message })) }
  }
  const { issues, warnings } = validateAlgorithm(algorithmName, algorithmSettings ?? [], toSearchSpace(experiment), {
    parallelTrialCount: experiment.spec.parallelTrialCount ?? 3,
    ...(experiment.spec.maxTrialCount !== undefined ? { maxTrialCount: experiment.spec.maxTrialCount } : {}),
  })
  const underSpec = (issue: SpecIssue) => ({ path: issue.path.startsWith('/spec/') ? issue.path : `/spec/algorithm${issue.path}`, message: issue.message })
  const algorithmIssues = issues.map(underSpec)
  const algorithmWarnings = warnings.map(underSpec)
  if (getAlgorithm(algorithmName)?.needsCheckpoints && !experiment.spec.trialTemplate) {
    // Ask/tell workers are handed parameters, not a parent's checkpoint: a child could not resume.
    algorithmIssues.push({
      path: '/spec/trialTemplate',
      message: `algorithm "${algorithmName}" continues trials from their parents' checkpoints, which only trials run from a trialTemplate get (TUNEWELL_CHECKPOINT_DIR, \${trialSpec.CheckpointDir}); add a trialTemplate or choose another algorithm`,
    })
  }
  // Katib's ValidateEarlyStoppingSettings: a bad rule or setting fails at creation, not at run time.
  const earlyStopping = experiment.spec.earlyStopping
  if (!earlyStopping?.algorithmName) return { issues: algorithmIssues, warnings: algorithmWarnings, unsupported: [] }
  const stopping = validateEarlyStopping(earlyStopping.algorithmName, earlyStopping.algorithmSettings ?? [])
  const stoppingIssues = stopping.issues.map((issue) => ({ path: `/spec/earlyStopping${issue.path}`, message: issue.message }))
  return { issues: [...algorithmIssues, ...stoppingIssues], warnings: algorithmWarnings, unsupported: [] }
}
