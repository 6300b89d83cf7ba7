import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { toSearchSpace } from '../core/spec/index.ts'
import { getAlgorithm, validateAlgorithm } from '../algorithms/index.ts'
import { validateEarlyStopping } from '../algorithms/early-stopping/early-stopping-registry.ts'

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
  const algorithmIssues = issues.map((issue) => ({
    path: issue.path.startsWith('/spec/') ? issue.path : `/spec/algorithm${issue.path}`,
    message: issue.message,
  }))
  if (getAlgorithm(algorithmName)?.needsCheckpoints && !experiment.spec.trialTemplate) {
    // Ask/tell workers are handed parameters, not a parent's checkpoint: a child could not resume.
    algorithmIssues.push({
      path: '/spec/trialTemplate',
      message: `algorithm "${algorithmName}" continues trials from their parents' checkpoints, which only trials run from a trialTemplate get (HYPERTUNE_CHECKPOINT_DIR, \${trialSpec.CheckpointDir}); add a trialTemplate or choose another algorithm`,
    })
  }
  // Katib's ValidateEarlyStoppingSettings: a bad rule or setting fails at creation, not at run time.
  const earlyStopping = experiment.spec.earlyStopping
  if (!earlyStopping?.algorithmName) return algorithmIssues
  const stopping = validateEarlyStopping(earlyStopping.algorithmName, earlyStopping.algorithmSettings ?? [])
  return [...algorithmIssues, ...stopping.issues.map((issue) => ({ path: `/spec/earlyStopping${issue.path}`, message: issue.message }))]
}
