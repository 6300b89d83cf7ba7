import type { ExitResult } from './trial-executor.ts'

/** Kubernetes' default `spec.backoffLimit` of a batch/v1 Job. */
export const DEFAULT_JOB_BACKOFF_LIMIT = 6

/** How often a failed local trial is run again, as its trialSpec's workload would be retried on a cluster. */
export interface JobRetries {
  /** Failed attempts that are retried: the trial runs at most limit + 1 times. */
  readonly limit: number
  /**
   * Which failures are retried: `any`, or only `retryable` ones (a training operator's
   * `restartPolicy: ExitCode`: exit codes 128 and above, and signals; 1–127 are permanent).
   */
  readonly on: 'any' | 'retryable'
  /** Where the limit comes from, for messages: `backoffLimit 6 (the Job's default)`, `runPolicy.backoffLimit 3`. */
  readonly source: string
}

type Manifest = { apiVersion?: unknown; kind?: unknown; spec?: Record<string, unknown> }

/**
 * The retries of a rendered trialSpec. A batch/v1 Job retries a failed pod until `backoffLimit`
 * failures (default 6), whether a new pod (`restartPolicy: Never`) or the container in place
 * (`OnFailure`): on this machine both mean running the command again. A kubeflow.org training
 * job (PyTorchJob, TFJob, ...) restarts the replica that holds the primary container under its
 * `restartPolicy` OnFailure, Always or ExitCode, until `runPolicy.backoffLimit`; the operator
 * sets no limit by default (it restarts for ever), so without one a local trial is not retried.
 * Anything else (a TrainJob, an Argo Workflow, ...) is not retried.
 */
export function jobRetries(rendered: unknown, primaryContainerName: string): JobRetries | undefined {
  const manifest = (rendered ?? {}) as Manifest
  const spec = manifest.spec
  if (spec === null || typeof spec !== 'object') return undefined
  if (manifest.kind === 'Job' && String(manifest.apiVersion).startsWith('batch/')) {
    const limit = count(spec.backoffLimit)
    return limit === undefined
      ? { limit: DEFAULT_JOB_BACKOFF_LIMIT, on: 'any', source: `backoffLimit ${DEFAULT_JOB_BACKOFF_LIMIT} (the Job's default)` }
      : { limit, on: 'any', source: `backoffLimit ${limit}` }
  }
  if (!String(manifest.apiVersion).startsWith('kubeflow.org/')) return undefined
  const limit = count((spec.runPolicy as Record<string, unknown> | undefined)?.backoffLimit)
  if (limit === undefined) return undefined
  const policy = replicaOf(spec, primaryContainerName)?.restartPolicy
  if (policy === 'OnFailure' || policy === 'Always') return { limit, on: 'any', source: `runPolicy.backoffLimit ${limit}` }
  if (policy === 'ExitCode') return { limit, on: 'retryable', source: `runPolicy.backoffLimit ${limit}` }
  return undefined
}

/** Whether `retries` runs a trial again after this failed attempt (`failures` so far, this one included). */
export function retriesAfter(retries: JobRetries | undefined, result: Extract<ExitResult, { phase: 'failed' }>, failures: number): boolean {
  if (!retries || failures > retries.limit) return false
  // Only a program that ran and failed is retried: a missing command or folder fails the same way every time.
  if (result.reason === 'Signal') return true
  if (result.reason !== 'Error') return false
  return retries.on === 'any' || (result.exitCode ?? 0) >= 128
}

/** The replica spec (`pytorchReplicaSpecs.Master`, ...) whose pod template holds the primary container. */
function replicaOf(spec: Record<string, unknown>, primary: string): { restartPolicy?: unknown } | undefined {
  for (const [key, replicas] of Object.entries(spec)) {
    if (!key.endsWith('ReplicaSpecs') || replicas === null || typeof replicas !== 'object') continue
    for (const replica of Object.values(replicas as Record<string, unknown>)) {
      const r = replica as { restartPolicy?: unknown; template?: { spec?: { containers?: { name?: unknown }[] } } } | null
      if (r?.template?.spec?.containers?.some((c) => c?.name === primary)) return r
    }
  }
  return undefined
}

function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined
}
