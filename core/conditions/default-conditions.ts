/**
 * Which successCondition and failureCondition apply to a workload. Katib's defaults (its
 * experiment_defaults.go; written once, in core/spec/apply-defaults.ts) cover Job, the Kubeflow
 * training jobs and TrainJob, by kind alone, whatever the apiVersion. For other kinds Katib has no
 * default and the spec must give both; CONDITION_EXAMPLES holds the ones Katib's own examples use
 * for Argo Workflows and Tekton PipelineRuns, to suggest them, never to fill them in.
 */
import { DEFAULT_CONDITIONS, KUBEFLOW_JOB_KINDS } from '../spec/apply-defaults.ts'

export interface TrialConditions {
  readonly successCondition?: string
  readonly failureCondition?: string
}

export interface ConditionPair {
  readonly success: string
  readonly failure: string
}

/** Katib's default conditions for a trial kind, or undefined where Katib has none. */
export function defaultConditions(kind: string | undefined): ConditionPair | undefined {
  if (kind === 'Job') return DEFAULT_CONDITIONS.Job
  if (kind === 'TrainJob') return DEFAULT_CONDITIONS.TrainJob
  if (kind !== undefined && KUBEFLOW_JOB_KINDS.includes(kind)) return DEFAULT_CONDITIONS.KubeflowJob
  return undefined
}

/** From Katib's examples (argo/argo-workflow.yaml, tekton/pipeline-run.yaml): suggestions only. */
export const CONDITION_EXAMPLES: Readonly<Record<'Workflow' | 'PipelineRun', ConditionPair>> = {
  Workflow: { success: 'status.[@this].#(phase=="Succeeded")#', failure: 'status.[@this].#(phase=="Failed")#' },
  PipelineRun: { success: 'status.conditions.#(type=="Succeeded")#|#(status=="True")#', failure: 'status.conditions.#(type=="Succeeded")#|#(status=="False")#' },
}

/** A condition to suggest for a kind in a message: Katib's default, else its example, else the Job's. */
export function suggestedConditions(kind: string | undefined): ConditionPair {
  return defaultConditions(kind) ?? (kind === 'Workflow' || kind === 'PipelineRun' ? CONDITION_EXAMPLES[kind] : DEFAULT_CONDITIONS.Job)
}

/**
 * The conditions in force: those given (a spec that went through applyDefaults already carries
 * Katib's defaults), else Katib's defaults for the kind. A condition that is still missing is
 * undefined and never met, as an empty GJSON path never matches in Katib.
 */
export function effectiveConditions(kind: string | undefined, given: TrialConditions = {}): { success: string | undefined; failure: string | undefined } {
  const defaults = defaultConditions(kind)
  return { success: given.successCondition || defaults?.success, failure: given.failureCondition || defaults?.failure }
}
