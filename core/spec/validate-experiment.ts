/**
 * Katib's validating webhook (section 1a), run on a structurally valid experiment after
 * defaults, in Katib's order, collecting every issue instead of stopping at the first. It adds
 * the checks Katib leaves to later failures (see validate-parameters.ts). Whether an algorithm
 * name exists is left to the algorithm registry, which adds its issues with `issueAt`.
 */
import type { SpecIssue } from '../errors.ts'
import { closestMatch } from './closest-match.ts'
import { ENQUEUE_ANNOTATION, enqueuedTrials } from './enqueued-trials.ts'
import { warmStartIssues } from './warm-start.ts'
import { metricNames, toSearchSpace } from './to-search-space.ts'
import type { AlgorithmSetting, Experiment } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'
import { parameterNamesKnown } from './apply-defaults.ts'
import { WHOLE, type Shape } from './shape.ts'
import { showValue } from './show-value.ts'
import { validateMetricsCollector } from './validate-metrics-collector.ts'
import { validateObjectives } from './validate-objectives.ts'
import { validateParameters } from './validate-parameters.ts'
import { validateTrialTemplate } from './validate-trial-template.ts'

/** Katib's regex, end-anchored: Katib's own lacks the `$` and so accepts "a_B!". */
const NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
const NAME_MAX = 40
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** Katib's counts are Go int32: a larger value is refused by its API server. */
export const MAX_KATIB_COUNT = 2_147_483_647

/**
 * `issues` make the experiment invalid. `warnings` are what Katib rejects but its own shipped
 * examples contain (so "accepts Katib YAML unchanged" wins), or what is legal but likely wrong.
 */
export interface ValidationResult {
  readonly issues: SpecIssue[]
  readonly warnings: SpecIssue[]
}

/**
 * With a `shape` from a document that has structural issues, each rule runs only where the parts
 * it reads are well-formed, so the file's other problems are reported in the same pass.
 */
export function validateExperiment(experiment: Experiment, shape: Shape = WHOLE): ValidationResult {
  const issues: SpecIssue[] = []
  const warnings: SpecIssue[] = []
  const { wellFormed } = shape
  if (wellFormed('/metadata')) validateMetadata(experiment, issues)
  if (!shape.intact('/spec')) return { issues, warnings }
  validateCounts(experiment, shape, issues, warnings)
  if (wellFormed('/spec/objective')) validateObjective(experiment, issues, warnings)
  const { algorithm, earlyStopping } = experiment.spec
  if (wellFormed('/spec/algorithm')) {
    if (algorithm.algorithmName === '') issues.push({ path: '/spec/algorithm/algorithmName', message: 'algorithmName is empty; name a search algorithm such as "random", "tpe" or "grid"' })
    validateSettings(algorithm.algorithmSettings, '/spec/algorithm/algorithmSettings', issues, warnings)
  }
  if (earlyStopping && wellFormed('/spec/earlyStopping')) {
    if (earlyStopping.algorithmName === '') issues.push({ path: '/spec/earlyStopping/algorithmName', message: 'algorithmName is empty; name an early-stopping algorithm such as "medianstop", or remove earlyStopping' })
    validateSettings(earlyStopping.algorithmSettings, '/spec/earlyStopping/algorithmSettings', issues, warnings)
  }
  // The template's rules compare it with the parameters' names.
  if (wellFormed('/spec/trialTemplate') && parameterNamesKnown(experiment, shape)) validateTrialTemplate(experiment, issues, warnings)
  validateSearchSpace(experiment, shape, issues)
  // Queued parameter sets are judged against a search space that holds.
  if (issues.length === 0 && experiment.metadata?.annotations?.[ENQUEUE_ANNOTATION] !== undefined) {
    issues.push(...enqueuedTrials(experiment, toSearchSpace(experiment)).issues)
  }
  if (experiment.metadata?.annotations) issues.push(...warmStartIssues(experiment))
  if (wellFormed('/spec/metricsCollectorSpec') && shape.intact('/spec/trialTemplate') && wellFormed('/spec/trialTemplate/command')) {
    validateMetricsCollector(experiment, issues, warnings)
  }
  return { issues, warnings }
}

function validateMetadata(experiment: Experiment, issues: SpecIssue[]): void {
  const { name, namespace } = experiment.metadata
  if (name === '') {
    issues.push({ path: '/metadata/name', message: 'name is empty; give the experiment a name such as "my-experiment"' })
  } else if (!NAME.test(name)) {
    issues.push({ path: '/metadata/name', message: `name ${showValue(name)} is invalid; it must consist of lower case letters, digits and '-', start with a letter and end with a letter or digit, e.g. "my-experiment-1"` })
  } else if (name.length > NAME_MAX) {
    issues.push({ path: '/metadata/name', message: `name ${showValue(name)} is ${name.length} characters long; it must be at most ${NAME_MAX}` })
  }
  if (namespace !== undefined && (!NAMESPACE.test(namespace) || namespace.length > 63)) {
    issues.push({ path: '/metadata/namespace', message: `namespace ${showValue(namespace)} is invalid; it must be a DNS label: lower case letters, digits and '-', at most 63 characters, e.g. "kubeflow"` })
  }
}

function validateCounts(experiment: Experiment, shape: Shape, issues: SpecIssue[], warnings: SpecIssue[]): void {
  const spec = experiment.spec
  const count = (name: 'maxTrialCount' | 'parallelTrialCount' | 'maxFailedTrialCount') => (shape.wellFormed(`/spec/${name}`) ? spec[name] : undefined)
  const [max, parallel, failed] = [count('maxTrialCount'), count('parallelTrialCount'), count('maxFailedTrialCount')]
  const beyond = (name: string, value: number | undefined, hint: string) => {
    if (value !== undefined && value > MAX_KATIB_COUNT) {
      issues.push({ path: joinPointer('/spec', name), message: `${name} ${value} is above ${MAX_KATIB_COUNT}, the largest count Katib accepts (a 32-bit integer); ${hint}` })
    }
  }
  beyond('maxTrialCount', max, 'give a smaller number, or omit maxTrialCount for no limit')
  beyond('parallelTrialCount', parallel, 'give the number of trials to run at once, e.g. 3')
  beyond('maxFailedTrialCount', failed, 'give a smaller number, or omit maxFailedTrialCount')
  if (failed !== undefined && failed < 0) issues.push({ path: '/spec/maxFailedTrialCount', message: `maxFailedTrialCount ${failed} is negative; it must be >= 0 (0 fails the experiment on the first failed trial)` })
  if (max !== undefined && max <= 0) issues.push({ path: '/spec/maxTrialCount', message: `maxTrialCount ${max} is not positive; it must be > 0, or omitted for no limit` })
  if (parallel !== undefined && parallel <= 0) issues.push({ path: '/spec/parallelTrialCount', message: `parallelTrialCount ${parallel} is not positive; it must be > 0` })
  // Katib's webhook rejects this, yet its hp-tuning/simple-pbt.yaml example has 3 > 2. It is
  // harmless (failures alone never stop the experiment), so it is only a warning.
  if (failed !== undefined && max !== undefined && max > 0 && failed > max) {
    warnings.push({ path: '/spec/maxFailedTrialCount', message: `maxFailedTrialCount ${failed} is greater than maxTrialCount ${max}, so failures alone can never stop the experiment; make it <= maxTrialCount (Katib's webhook rejects this)` })
  }
  if (parallel !== undefined && max !== undefined && max > 0 && parallel > max) {
    issues.push({ path: '/spec/parallelTrialCount', message: `parallelTrialCount ${parallel} is greater than maxTrialCount ${max}; it must be <= maxTrialCount (when omitted it defaults to 3)` })
  }
}

function validateObjective(experiment: Experiment, issues: SpecIssue[], warnings: SpecIssue[]): void {
  const objective = experiment.spec.objective
  const at = '/spec/objective'
  if (objective.objectiveMetricName === '') {
    issues.push({ path: joinPointer(at, 'objectiveMetricName'), message: 'objectiveMetricName is empty; name the metric the trials report, e.g. "loss"' })
  }
  if (objective.goal !== undefined && !Number.isFinite(objective.goal)) {
    issues.push({ path: joinPointer(at, 'goal'), message: `goal ${objective.goal} is not a finite number; give a number or omit goal` })
  }
  const metrics = [objective.objectiveMetricName]
  const collected = metricNames(experiment)
  ;(objective.additionalMetricNames ?? []).forEach((name, i) => {
    const path = joinPointer(at, 'additionalMetricNames', i)
    if (name === '') issues.push({ path, message: 'metric name is empty; remove the entry or name a metric' })
    else if (name === objective.objectiveMetricName) issues.push({ path, message: `"${name}" is the objectiveMetricName; additionalMetricNames must not contain it` })
    // Katib accepts a repeat and collects the metric once (parse-experiment drops it first).
    else if (metrics.includes(name)) warnings.push({ path, message: `metric "${name}" is listed twice; the repeat is ignored (remove it)` })
    metrics.push(name)
  })
  // Katib's webhook does not look at metricStrategies; a strategy for a metric nobody collects is never used.
  const strategies = new Map<string, string>()
  ;(objective.metricStrategies ?? []).forEach((strategy, i) => {
    const path = joinPointer(at, 'metricStrategies', i, 'name')
    const earlier = strategies.get(strategy.name)
    if (earlier === strategy.value) {
      warnings.push({ path, message: `metric "${strategy.name}" has strategy "${strategy.value}" twice; the repeat is ignored (remove it)` })
    } else if (earlier !== undefined) {
      issues.push({ path, message: `metric "${strategy.name}" has two strategies, "${earlier}" and "${strategy.value}"; give each metric one` })
    } else if (!collected.includes(strategy.name)) {
      const guess = closestMatch(strategy.name, metrics)
      warnings.push({ path, message: `metric "${strategy.name}" is neither the objective nor an additional metric (${metrics.join(', ')}), so its strategy is ignored${guess ? `; did you mean "${guess}"?` : '; add the metric to additionalMetricNames to collect it'}` })
    }
    if (earlier === undefined) strategies.set(strategy.name, strategy.value)
  })
  validateObjectives(experiment, issues, warnings)
}

/** Katib's services read settings into a map; a repeat with the same value changes nothing. */
function validateSettings(settings: readonly AlgorithmSetting[] | undefined, at: string, issues: SpecIssue[], warnings: SpecIssue[]): void {
  const seen = new Map<string, string>()
  ;(settings ?? []).forEach((setting, i) => {
    const earlier = seen.get(setting.name)
    const path = joinPointer(at, i, 'name')
    if (earlier === setting.value) warnings.push({ path, message: `setting "${setting.name}" is given twice with the same value; the repeat is ignored (remove it)` })
    else if (earlier !== undefined) issues.push({ path, message: `setting "${setting.name}" is given twice, as ${showValue(earlier)} and ${showValue(setting.value)}; give each setting once` })
    else seen.set(setting.name, setting.value)
  })
}

function validateSearchSpace(experiment: Experiment, shape: Shape, issues: SpecIssue[]): void {
  if (!shape.intact('/spec/parameters') || !shape.intact('/spec/nasConfig')) return
  const { parameters, nasConfig } = experiment.spec
  const hasParameters = (parameters?.length ?? 0) > 0
  if (!hasParameters && !nasConfig) {
    issues.push({ path: '/spec/parameters', message: 'no search space is given; give spec.parameters (hyperparameters to tune) or spec.nasConfig (an architecture search)' })
  }
  if (hasParameters && nasConfig) {
    issues.push({ path: '/spec/nasConfig', message: 'spec.parameters and spec.nasConfig are both given; give only one of them' })
  }
  if (parameters) validateParameters(parameters, '/spec/parameters', issues, (path) => shape.wellFormed(path))
  if (!nasConfig || !shape.intact('/spec/nasConfig/operations')) return
  const operations = nasConfig.operations ?? []
  if (operations.length === 0) {
    issues.push({ path: '/spec/nasConfig/operations', message: 'operations is empty; list the operations the architecture search may choose from' })
  }
  operations.forEach((operation, i) => {
    const at = joinPointer('/spec/nasConfig/operations', i)
    if (!shape.intact(at)) return
    if (shape.wellFormed(joinPointer(at, 'operationType')) && operation.operationType === '') {
      issues.push({ path: joinPointer(at, 'operationType'), message: 'operationType is empty; name the operation, e.g. "convolution"' })
    }
    if (shape.intact(joinPointer(at, 'parameters'))) validateParameters(operation.parameters ?? [], joinPointer(at, 'parameters'), issues, (path) => shape.wellFormed(path))
  })
}
