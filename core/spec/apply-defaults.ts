/**
 * Katib's mutating-webhook defaults (experiment_defaults.go), so that a spec means here what it
 * means on a cluster, plus the one default of our local `command` form. Returns a new object.
 */
import type { Experiment, TrialTemplate } from './experiment-schema.ts'
import { WHOLE, type Shape } from './shape.ts'
import { nasAssignmentNames } from '../nas/nas-assignment-names.ts'
import type { MetricStrategy } from '../metric.ts'
import { constraintsOf, objectivesOf } from '../multiobjective/objectives.ts'

export const DEFAULT_PARALLEL_TRIAL_COUNT = 3
/** Katib's type comment says LongRunning; its code says Never, and the code is what runs. */
export const DEFAULT_RESUME_POLICY = 'Never'
export const DEFAULT_METRICS_FILE_PATH = '/var/log/katib/metrics.log'
export const DEFAULT_TFEVENT_DIR_PATH = '/var/log/katib/tfevent/'
export const DEFAULT_PROMETHEUS_PATH = '/metrics'
export const DEFAULT_PROMETHEUS_PORT = 8080

export const KUBEFLOW_JOB_KINDS: readonly string[] = ['TFJob', 'PyTorchJob', 'XGBoostJob', 'MPIJob']

const failed = 'status.conditions.#(type=="Failed")#|#(status=="True")#'
export const DEFAULT_CONDITIONS: Readonly<Record<'Job' | 'KubeflowJob' | 'TrainJob', { success: string; failure: string }>> = {
  Job: { success: 'status.conditions.#(type=="Complete")#|#(status=="True")#', failure: failed },
  KubeflowJob: { success: 'status.conditions.#(type=="Succeeded")#|#(status=="True")#', failure: failed },
  TrainJob: { success: 'status.conditions.#(type=="Complete")#|#(status=="True")#', failure: failed },
}

export const DEFAULT_KUBEFLOW_JOB_PRIMARY_POD_LABELS: Readonly<Record<string, string>> = { 'training.kubeflow.org/job-role': 'master' }
export const DEFAULT_TRAINJOB_PRIMARY_POD_LABELS: Readonly<Record<string, string>> = {
  'jobset.sigs.k8s.io/replicatedjob-name': 'node',
  'batch.kubernetes.io/job-completion-index': '0',
}

/**
 * With a `shape` (a document with structural issues), only its well-formed parts are defaulted,
 * for the rules that still check them; the result is then no valid Experiment, whatever its type.
 */
export function applyDefaults(input: Experiment, shape: Shape = WHOLE): Experiment {
  const experiment = structuredClone(input)
  if (!shape.intact('/spec')) return experiment
  const spec = experiment.spec
  const { wellFormed } = shape
  if (wellFormed('/spec/parallelTrialCount')) spec.parallelTrialCount ??= DEFAULT_PARALLEL_TRIAL_COUNT
  if (wellFormed('/spec/resumePolicy')) spec.resumePolicy ??= DEFAULT_RESUME_POLICY
  if (wellFormed('/spec/objective')) defaultMetricStrategies(experiment)
  if (spec.trialTemplate && wellFormed('/spec/trialTemplate') && (spec.trialTemplate.trialParameters !== undefined || parameterNamesKnown(experiment, shape))) {
    defaultTrialTemplate(spec.trialTemplate, experiment)
  }
  if (wellFormed('/spec/metricsCollectorSpec')) defaultMetricsCollector(experiment)
  ;(shape.intact('/spec/parameters') ? spec.parameters ?? [] : []).forEach((parameter, i) => {
    if (wellFormed(`/spec/parameters/${i}/feasibleSpace`)) parameter.feasibleSpace.distribution ??= 'uniform'
  })
  return experiment
}

/** Whether every search parameter's name can be read (the template rules refer to them). */
export function parameterNamesKnown(experiment: Experiment, shape: Shape): boolean {
  if (!shape.intact('/spec/parameters')) return false
  return (experiment.spec.parameters ?? []).every((_, i) => shape.wellFormed(`/spec/parameters/${i}/name`))
}

/**
 * Katib's comment promises `latest` for additional metrics; its code gives them the objective's
 * direction. Our extensions: each further objective follows its own direction, and a constraint
 * metric that is no objective gets `latest` (its value at the end of the trial).
 */
function defaultMetricStrategies(experiment: Experiment): void {
  const objective = experiment.spec.objective
  const strategies = (objective.metricStrategies ??= [])
  const value = objective.type === 'minimize' ? 'min' : 'max'
  const named = new Set(strategies.map((s) => s.name))
  const add = (name: string, strategy: MetricStrategy) => {
    if (named.has(name)) return
    strategies.push({ name, value: strategy })
    named.add(name)
  }
  const objectives = objectivesOf(objective)
  for (const { metric, direction } of objectives) add(metric, direction === 'minimize' ? 'min' : 'max')
  for (const { metric } of constraintsOf(objective)) add(metric, 'latest')
  for (const name of objective.additionalMetricNames ?? []) add(name, value)
}

function defaultTrialTemplate(template: TrialTemplate, experiment: Experiment): void {
  if (template.command !== undefined && template.trialParameters === undefined) {
    // Our short form: every search parameter becomes `${trialParameters.<its name>}`; with
    // nasConfig, every assignment of the architecture search (`${trialParameters.architecture}`).
    const names = experiment.spec.nasConfig && !experiment.spec.parameters?.length
      ? nasAssignmentNames(experiment.spec.algorithm.algorithmName)
      : (experiment.spec.parameters ?? []).map((p) => p.name)
    template.trialParameters = names.map((name) => ({ name, reference: name }))
  }
  // Like Katib, conditions and labels are defaulted only for an inline manifest, never a ConfigMap.
  if (template.trialSpec === undefined) return
  const kind = template.trialSpec.kind
  const conditions =
    kind === 'Job' ? DEFAULT_CONDITIONS.Job
    : typeof kind === 'string' && KUBEFLOW_JOB_KINDS.includes(kind) ? DEFAULT_CONDITIONS.KubeflowJob
    : kind === 'TrainJob' ? DEFAULT_CONDITIONS.TrainJob
    : undefined
  if (!conditions) return
  if (!template.successCondition) template.successCondition = conditions.success
  if (!template.failureCondition) template.failureCondition = conditions.failure
  const labels =
    kind === 'TrainJob' ? DEFAULT_TRAINJOB_PRIMARY_POD_LABELS
    : kind !== 'Job' ? DEFAULT_KUBEFLOW_JOB_PRIMARY_POD_LABELS
    : undefined
  if (labels && Object.keys(template.primaryPodLabels ?? {}).length === 0) template.primaryPodLabels = { ...labels }
}

function defaultMetricsCollector(experiment: Experiment): void {
  const spec = (experiment.spec.metricsCollectorSpec ??= {})
  const collector = (spec.collector ??= { kind: 'StdOut' })
  switch (collector.kind) {
    case 'PrometheusMetric': {
      const httpGet = ((spec.source ??= {}).httpGet ??= {})
      if (!httpGet.path) httpGet.path = DEFAULT_PROMETHEUS_PATH
      if (httpGet.port === undefined || String(httpGet.port) === '0') httpGet.port = DEFAULT_PROMETHEUS_PORT
      break
    }
    case 'File': {
      const path = ((spec.source ??= {}).fileSystemPath ??= {})
      path.kind ??= 'File'
      if (!path.path) path.path = DEFAULT_METRICS_FILE_PATH
      path.format ??= 'TEXT'
      break
    }
    case 'TensorFlowEvent': {
      const path = ((spec.source ??= {}).fileSystemPath ??= {})
      path.kind ??= 'Directory'
      if (!path.path) path.path = DEFAULT_TFEVENT_DIR_PATH
      break
    }
  }
}
