import type { ExecutionHandle } from '../trial-executor.ts'

/**
 * Stored on the trial row (`execution`) so a restarted controller finds the workload: what to
 * read or delete, and its uid, so that only that very object is deleted (a workload created
 * since under the same name is another one). `kind` is the executor's, as for every handle;
 * the workload's own kind is `workloadKind`.
 */
export interface KubernetesHandle extends ExecutionHandle {
  readonly kind: 'kubernetes'
  readonly apiVersion: string
  readonly workloadKind: string
  readonly namespace: string
  readonly name: string
  readonly uid: string
}

export function isKubernetesHandle(value: unknown): value is KubernetesHandle {
  const handle = value as Partial<KubernetesHandle> | null
  return handle?.kind === 'kubernetes'
    && typeof handle.apiVersion === 'string' && typeof handle.workloadKind === 'string'
    && typeof handle.namespace === 'string' && typeof handle.name === 'string' && typeof handle.uid === 'string'
}
