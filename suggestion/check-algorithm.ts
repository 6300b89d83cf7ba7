import type { SpecIssue } from '../core/errors.ts'
import type { Experiment } from '../core/spec/index.ts'
import { toSearchSpace } from '../core/spec/index.ts'
import { algorithmNames, getAlgorithm, PLANNED_ALGORITHM_NAMES, validateAlgorithm } from '../algorithms/index.ts'
import { objectivesOf } from '../core/multiobjective/objectives.ts'
import { validateEarlyStopping } from '../algorithms/early-stopping/early-stopping-registry.ts'
import { nasAlgorithmDefinition, nasAlgorithmNames, validateNasAlgorithm } from '../algorithms/nas/validate-nas-algorithm.ts'
import { nasAssignmentNames } from '../core/nas/nas-assignment-names.ts'
import { closestMatch } from '../core/spec/closest-match.ts'
import { joinPointer } from '../core/spec/json-pointer.ts'

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
  const budget = {
    parallelTrialCount: experiment.spec.parallelTrialCount ?? 3,
    ...(experiment.spec.maxTrialCount !== undefined ? { maxTrialCount: experiment.spec.maxTrialCount } : {}),
  }
  const nasConfig = experiment.spec.nasConfig
  const { issues, warnings } = nasConfig
    ? validateNasAlgorithm(algorithmName, algorithmSettings ?? [], nasConfig, budget)
    : hyperparameterAlgorithm(algorithmName) ?? validateAlgorithm(algorithmName, algorithmSettings ?? [], toSearchSpace(experiment), budget)
  const underSpec = (issue: SpecIssue) => ({ path: issue.path.startsWith('/spec/') ? issue.path : `/spec/algorithm${issue.path}`, message: issue.message })
  const algorithmIssues = [...issues.map(underSpec), ...(nasConfig && issues.length === 0 ? nasReferenceIssues(experiment) : [])]
  const algorithmWarnings = warnings.map(underSpec)
  const objectives = objectivesOf(experiment.spec.objective).length
  if (objectives >= 2 && issues.length === 0 && !nasConfig && getAlgorithm(algorithmName)?.multiObjective !== true) {
    algorithmIssues.push({
      path: '/spec/algorithm/algorithmName',
      message: `algorithm "${algorithmName}" optimises one objective, and this experiment has ${objectives} (${objectivesOf(experiment.spec.objective).map((o) => o.metric).join(', ')}); choose one that accepts several: ${multiObjectiveAlgorithmNames().join(', ')}`,
    })
  }
  if (objectives >= 2 && nasConfig) {
    algorithmIssues.push({ path: '/spec/objective/objectives', message: 'an architecture search (spec.nasConfig) optimises one objective; remove objectives' })
  }
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

/** An architecture search named for an experiment with spec.parameters: what to do instead. */
function hyperparameterAlgorithm(name: string): { issues: SpecIssue[]; warnings: SpecIssue[] } | undefined {
  if (getAlgorithm(name) || !nasAlgorithmDefinition(name)) return undefined
  return {
    issues: [{
      path: '/algorithmName',
      message: `algorithm "${name}" searches neural architectures (spec.nasConfig), not hyperparameters; give spec.nasConfig instead of spec.parameters, or choose a hyperparameter algorithm (random, tpe, bayesianoptimization, ...). Architecture searches: ${nasAlgorithmNames().join(', ')}`,
    }],
    warnings: [],
  }
}

/**
 * A NAS trial gets only its algorithm's assignments (architecture and nn_config; darts' three),
 * so a trialParameter that references anything else would fail every trial (Katib finds out at
 * the first trial; we say so now). Metadata references (`${trialSpec.Name}`) are fine.
 */
function nasReferenceIssues(experiment: Experiment): SpecIssue[] {
  const names = nasAssignmentNames(experiment.spec.algorithm.algorithmName)
  const issues: SpecIssue[] = []
  ;(experiment.spec.trialTemplate?.trialParameters ?? []).forEach((parameter, i) => {
    if (parameter.reference.startsWith('${trialSpec.') || names.includes(parameter.reference)) return
    const guess = closestMatch(parameter.reference, names)
    issues.push({
      path: joinPointer('/spec/trialTemplate/trialParameters', i, 'reference'),
      message: `reference "${parameter.reference}" is not something algorithm "${experiment.spec.algorithm.algorithmName}" assigns; each trial gets ${names.join(', ')}${guess ? `: did you mean "${guess}"?` : ''}`,
    })
  })
  return issues
}

/** The registered algorithms that accept several objectives (AlgorithmDefinition.multiObjective). */
export function multiObjectiveAlgorithmNames(): string[] {
  return algorithmNames().filter((name) => getAlgorithm(name)?.multiObjective === true)
}
