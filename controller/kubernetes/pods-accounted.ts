import type { Json } from './workload-api.ts'

/**
 * Whether the pods the shared pod watch has shown of a finished batch/v1 Job are all of them:
 * as many ended pods (phase Succeeded or Failed) as the Job's status counts
 * (`succeeded` + `failed`), and none still running. Then a trial's end needs no list of its pods
 * (one request per trial, at thousands of trials): their logs are followed and how they ended is
 * known. The two watches are separate streams, so the Job's end can arrive before its pods'
 * last events; then, and for every other kind (whose status counts no pods this way), the pods
 * are listed.
 */
export function podsAccounted(workload: Json | undefined, pods: readonly Json[]): boolean {
  if (workload?.apiVersion !== 'batch/v1' || workload.kind !== 'Job') return false
  const finished = (Number(workload.status?.succeeded) || 0) + (Number(workload.status?.failed) || 0)
  if (finished === 0) return false
  let ended = 0
  for (const pod of pods) {
    const phase = pod.status?.phase
    if (phase !== 'Succeeded' && phase !== 'Failed') return false
    ended++
  }
  return ended >= finished
}
