/**
 * A trial workload's state from its successCondition and failureCondition, as Katib's trial
 * controller decides it (pkg/controller.v1beta1/trial/util/job_util.go, GetDeployedJobStatus):
 *
 * - the failure condition is evaluated first, so a workload that matches both has Failed;
 * - a condition is met when its GJSON result is an object or a non-empty array. Not gjson's
 *   Exists(): `status.phase` gives a string and is never met, `[]` (a query that found nothing)
 *   is not met either. That is why Katib's examples wrap scalars in queries, e.g. Argo's
 *   `status.[@this].#(phase=="Succeeded")#`;
 * - reason and message come from the result (its first element when it is an array), read the way
 *   Go's json.Unmarshal fills Katib's struct: keys matched without regard to case;
 * - anything else is Running (Katib also reports Running only once the workload exists; the
 *   caller has the object, so it exists).
 *
 * Deviations, on purpose: where the matched element is no object, or its reason or message is no
 * string, Katib's Unmarshal fails and the trial stays as it was, reconciled again and again; here
 * the state still changes and reason and message fall back to ones that name the condition.
 */
import { effectiveConditions, type TrialConditions } from './default-conditions.ts'
import { gjsonGet, sortedKeys, type Json } from './evaluate-gjson.ts'

export type WorkloadPhase = 'Running' | 'Succeeded' | 'Failed'

export type WorkloadState =
  | { readonly state: 'Running' }
  | {
      readonly state: 'Succeeded' | 'Failed'
      /** The workload's own reason (e.g. a Job's `BackoffLimitExceeded`), else `SuccessConditionMet` / `FailureConditionMet`. */
      readonly reason: string
      /** The workload's own message, else one naming the condition that matched. */
      readonly message: string
      /** Whether reason and message were the workload's own (false: the fallbacks above). */
      readonly reasonFromWorkload: boolean
      readonly messageFromWorkload: boolean
      /** Which template field matched, and its GJSON expression. */
      readonly condition: 'successCondition' | 'failureCondition'
      readonly expression: string
      /** The first matched element (e.g. the status condition), as Katib reads it. */
      readonly matched: Json
    }

/** Katib's test of a condition's result: an object, or an array with at least one element. */
export function conditionMet(result: Json | undefined): boolean {
  if (Array.isArray(result)) return result.length > 0
  return typeof result === 'object' && result !== null
}

/**
 * The state of a trial workload.
 *
 * @param workload the whole object as the Kubernetes API returns it (apiVersion, kind, metadata,
 *   spec, status); conditions are evaluated against all of it, as in Katib. Plain JSON, or a
 *   client's typed object, which is read as its JSON serialisation.
 * @param conditions the trial template's successCondition and failureCondition. Missing ones take
 *   Katib's default for the workload's `kind` (Job, TFJob, PyTorchJob, XGBoostJob, MPIJob,
 *   TrainJob); a condition still missing is never met.
 */
export function workloadState(workload: unknown, conditions: TrialConditions = {}): WorkloadState {
  // What Katib evaluates is the object's JSON: class instances of a client (Dates, undefined
  // fields) become what the API server sends.
  const json = JSON.parse(JSON.stringify(workload ?? null)) as Json
  const kind = typeof json === 'object' && json !== null && !Array.isArray(json) && typeof json.kind === 'string' ? json.kind : undefined
  const { success, failure } = effectiveConditions(kind, conditions)
  for (const [field, expression, state] of [
    ['failureCondition', failure, 'Failed'],
    ['successCondition', success, 'Succeeded'],
  ] as const) {
    if (!expression) continue
    const result = gjsonGet(json, expression)
    if (!conditionMet(result)) continue
    const matched = Array.isArray(result) ? result[0] : result!
    const reason = stringField(matched, 'reason')
    const message = stringField(matched, 'message')
    return {
      state,
      reason: reason ?? (state === 'Failed' ? 'FailureConditionMet' : 'SuccessConditionMet'),
      message: message ?? `the workload's status matches the trial template's ${field} ${expression}`,
      reasonFromWorkload: reason !== undefined,
      messageFromWorkload: message !== undefined,
      condition: field,
      expression,
      matched,
    }
  }
  return { state: 'Running' }
}

/**
 * A string field the way json.Unmarshal finds a struct field: an exact key wins, else any key
 * equal to it without regard to case; Katib's JSON has sorted keys, and the last one read wins.
 */
function stringField(value: Json, name: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  if (Object.hasOwn(value, name)) {
    const exact = value[name]
    return typeof exact === 'string' && exact !== '' ? exact : undefined
  }
  let found: Json | undefined
  for (const key of sortedKeys(value)) if (key.toLowerCase() === name) found = value[key]
  return typeof found === 'string' && found !== '' ? found : undefined
}
