/**
 * Workload objects as the Kubernetes API returns them, for each kind Katib's examples run, in each
 * state a trial sees: running (or pending), succeeded, failed. Status fields follow what each
 * controller writes (batch/v1 Job of Kubernetes 1.31+, training-operator v1, trainer v1alpha1,
 * Argo Workflows v3, Tekton Pipelines v1).
 */
import type { Json } from '../../../core/conditions/evaluate-gjson.ts'

export interface WorkloadCase {
  readonly name: string
  readonly object: Json
  readonly state: 'Running' | 'Succeeded' | 'Failed'
  /** The reason and message the trial must get (undefined: the generic ones). */
  readonly reason?: string
  readonly message?: string
}

const T = '2026-12-07T08:00:00Z'
const meta = (kind: string) => ({ name: 'random-exp-abc123', namespace: 'kubeflow', uid: '1f0c-' + kind, resourceVersion: '4242', labels: { 'katib.kubeflow.org/experiment': 'random-exp', 'katib.kubeflow.org/trial': 'random-exp-abc123' } })
const cond = (type: string, status: string, reason?: string, message?: string) => ({ type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastProbeTime: T, lastTransitionTime: T })

function job(status: Json): Json {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('job'), spec: { backoffLimit: 0, completions: 1, parallelism: 1, template: { spec: { containers: [{ name: 'training-container', image: 'ghcr.io/x/mnist' }], restartPolicy: 'Never' } } }, status }
}

export const JOB_CASES: readonly WorkloadCase[] = [
  { name: 'Job just created', object: job({}), state: 'Running' },
  { name: 'Job running', object: job({ active: 1, ready: 1, startTime: T, terminating: 0, uncountedTerminatedPods: {} }), state: 'Running' },
  { name: 'Job suspended', object: job({ conditions: [cond('Suspended', 'True', 'JobSuspended', 'Job suspended')] }), state: 'Running' },
  { name: 'Job failing, not yet Failed', object: job({ active: 0, failed: 1, conditions: [cond('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] }), state: 'Running' },
  {
    name: 'Job complete',
    object: job({ startTime: T, completionTime: T, succeeded: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {}, conditions: [cond('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'), cond('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods')] }),
    state: 'Succeeded',
    reason: 'CompletionsReached',
    message: 'Reached expected number of succeeded pods',
  },
  {
    name: 'Job complete (before Kubernetes 1.31: no reason or message)',
    object: job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True', lastProbeTime: T, lastTransitionTime: T }] }),
    state: 'Succeeded',
  },
  {
    name: 'Job failed: backoff limit',
    object: job({ failed: 1, conditions: [cond('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'), cond('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] }),
    state: 'Failed',
    reason: 'BackoffLimitExceeded',
    message: 'Job has reached the specified backoff limit',
  },
  {
    name: 'Job failed: deadline',
    object: job({ active: 0, conditions: [cond('Failed', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline')] }),
    state: 'Failed',
    reason: 'DeadlineExceeded',
    message: 'Job was active longer than specified deadline',
  },
]

function kubeflowJob(kind: string, apiVersion: string, conditions: Json[]): Json {
  const replicas = kind === 'MPIJob' ? 'mpiReplicaSpecs' : kind === 'XGBoostJob' ? 'xgbReplicaSpecs' : kind === 'TFJob' ? 'tfReplicaSpecs' : 'pytorchReplicaSpecs'
  return { apiVersion, kind, metadata: meta(kind), spec: { [replicas]: { Master: { replicas: 1, restartPolicy: 'OnFailure', template: { spec: { containers: [{ name: kind === 'TFJob' ? 'tensorflow' : 'pytorch', image: 'x' }] } } } } }, status: { conditions, replicaStatuses: { Master: { active: 1 } }, startTime: T } }
}

export function kubeflowJobCases(kind: string, apiVersion = 'kubeflow.org/v1'): WorkloadCase[] {
  const created = cond('Created', 'True', `${kind}Created`, `${kind} random-exp-abc123 is created.`)
  return [
    { name: `${kind} created`, object: kubeflowJob(kind, apiVersion, [created]), state: 'Running' },
    { name: `${kind} running`, object: kubeflowJob(kind, apiVersion, [created, cond('Running', 'True', `${kind}Running`, `${kind} random-exp-abc123 is running.`)]), state: 'Running' },
    { name: `${kind} restarting`, object: kubeflowJob(kind, apiVersion, [created, cond('Running', 'False', `${kind}Running`, ''), cond('Restarting', 'True', `${kind}Restarting`, `${kind} random-exp-abc123 is restarting because 1 Master replica(s) failed.`)]), state: 'Running' },
    {
      name: `${kind} succeeded`,
      object: kubeflowJob(kind, apiVersion, [created, cond('Running', 'False', `${kind}Running`, `${kind} random-exp-abc123 is running.`), cond('Succeeded', 'True', `${kind}Succeeded`, `${kind} kubeflow/random-exp-abc123 successfully completed.`)]),
      state: 'Succeeded',
      reason: `${kind}Succeeded`,
      message: `${kind} kubeflow/random-exp-abc123 successfully completed.`,
    },
    {
      name: `${kind} failed`,
      object: kubeflowJob(kind, apiVersion, [created, cond('Running', 'False', `${kind}Running`, ''), cond('Failed', 'True', `${kind}Failed`, `${kind} kubeflow/random-exp-abc123 is failed because 1 Master replica(s) failed.`)]),
      state: 'Failed',
      reason: `${kind}Failed`,
      message: `${kind} kubeflow/random-exp-abc123 is failed because 1 Master replica(s) failed.`,
    },
  ]
}

function trainJob(status: Json): Json {
  return { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: meta('trainjob'), spec: { runtimeRef: { name: 'torch-distributed' }, trainer: { numNodes: 1 } }, status }
}

export const TRAINJOB_CASES: readonly WorkloadCase[] = [
  { name: 'TrainJob created', object: trainJob({}), state: 'Running' },
  { name: 'TrainJob running', object: trainJob({ jobsStatus: [{ name: 'node', active: 1, ready: 1, succeeded: 0, failed: 0, suspended: 0 }] }), state: 'Running' },
  { name: 'TrainJob suspended', object: trainJob({ conditions: [cond('Suspended', 'True', 'Suspended', 'TrainJob is suspended')] }), state: 'Running' },
  { name: 'TrainJob complete', object: trainJob({ conditions: [cond('Complete', 'True', 'JobsCompleted', 'jobset completed')] }), state: 'Succeeded', reason: 'JobsCompleted', message: 'jobset completed' },
  { name: 'TrainJob failed', object: trainJob({ conditions: [cond('Failed', 'True', 'JobsFailed', 'jobset failed')] }), state: 'Failed', reason: 'JobsFailed', message: 'jobset failed' },
]

function workflow(status: Json): Json {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: meta('workflow'), spec: { entrypoint: 'hp-workflow', templates: [] }, status }
}

export const WORKFLOW_CASES: readonly WorkloadCase[] = [
  { name: 'Workflow without status', object: workflow({}), state: 'Running' },
  { name: 'Workflow pending', object: workflow({ phase: 'Pending', startedAt: T, finishedAt: null }), state: 'Running' },
  { name: 'Workflow running', object: workflow({ phase: 'Running', startedAt: T, finishedAt: null, progress: '1/3', nodes: { 'random-exp-abc123': { phase: 'Running', type: 'Steps' } } }), state: 'Running' },
  // Katib's example conditions know Succeeded and Failed only: an Errored workflow stays Running, in Katib as here.
  { name: 'Workflow errored (Katib\'s example conditions do not see it)', object: workflow({ phase: 'Error', message: 'pod deleted', startedAt: T, finishedAt: T }), state: 'Running' },
  {
    name: 'Workflow succeeded',
    object: workflow({ phase: 'Succeeded', startedAt: T, finishedAt: T, progress: '3/3', conditions: [{ type: 'PodRunning', status: 'False' }, { type: 'Completed', status: 'True' }] }),
    state: 'Succeeded',
  },
  {
    name: 'Workflow failed (the status message is the message)',
    object: workflow({ phase: 'Failed', message: 'child \'random-exp-abc123-123\' failed', startedAt: T, finishedAt: T, progress: '2/3' }),
    state: 'Failed',
    message: 'child \'random-exp-abc123-123\' failed',
  },
]

function pipelineRun(status: Json): Json {
  return { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: meta('pipelinerun'), spec: { pipelineSpec: { tasks: [] } }, status }
}

export const PIPELINERUN_CASES: readonly WorkloadCase[] = [
  { name: 'PipelineRun without status', object: pipelineRun({}), state: 'Running' },
  { name: 'PipelineRun running', object: pipelineRun({ startTime: T, conditions: [cond('Succeeded', 'Unknown', 'Running', 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Incomplete: 2, Skipped: 0')] }), state: 'Running' },
  {
    name: 'PipelineRun succeeded',
    object: pipelineRun({ startTime: T, completionTime: T, conditions: [cond('Succeeded', 'True', 'Succeeded', 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0')] }),
    state: 'Succeeded',
    reason: 'Succeeded',
    message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
  },
  {
    name: 'PipelineRun failed',
    object: pipelineRun({ startTime: T, completionTime: T, conditions: [cond('Succeeded', 'False', 'Failed', 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0')] }),
    state: 'Failed',
    reason: 'Failed',
    message: 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0',
  },
]

/** The cases for a trial kind. */
export function casesFor(kind: string, apiVersion?: string): readonly WorkloadCase[] {
  switch (kind) {
    case 'Job': return JOB_CASES
    case 'TrainJob': return TRAINJOB_CASES
    case 'Workflow': return WORKFLOW_CASES
    case 'PipelineRun': return PIPELINERUN_CASES
    default: return kubeflowJobCases(kind, apiVersion)
  }
}
