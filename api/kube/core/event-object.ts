import { createHash } from 'node:crypto'
import { rfc3339 } from '../../../core/katib/rfc3339.ts'
import type { FeedEvent } from '../../../db/store.ts'
import { KATIB_API_VERSION } from '../object-meta.ts'

/** A core/v1 Event as a server serves it (the fields `kubectl describe` and `kubectl get events` read). */
export interface KubeEvent {
  readonly apiVersion: 'v1'
  readonly kind: 'Event'
  readonly metadata: {
    readonly name: string
    readonly namespace: string
    readonly uid: string
    readonly resourceVersion: string
    readonly creationTimestamp: string
  }
  readonly involvedObject: KubeEventObject
  readonly reason: string
  readonly message: string
  readonly source: { readonly component: string }
  readonly firstTimestamp: string
  readonly lastTimestamp: string
  readonly count: number
  readonly type: 'Normal' | 'Warning'
  // What a legacy (core/v1) recorder leaves empty; a server still writes the keys.
  readonly eventTime: null
  readonly reportingComponent: string
  readonly reportingInstance: string
}

export interface KubeEventObject {
  readonly apiVersion: string
  readonly kind: 'Experiment' | 'Trial'
  readonly namespace: string
  readonly name: string
  readonly uid: string
  /** The object's resourceVersion when it happened: the event's own id (resource versions are event ids). */
  readonly resourceVersion: string
}

export const EVENT_SOURCE = 'tunewell'

/** The fields events can be selected by (`kubectl describe` asks for involvedObject.*), as a server allows. */
export const EVENT_FIELDS = [
  'metadata.name', 'metadata.namespace',
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
  'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
  'reason', 'reportingComponent', 'source', 'type',
] as const

/** A selectable field's value (a field the event lacks is '', as a server compares it). */
export function eventField(event: KubeEvent, field: string): string | undefined {
  switch (field) {
    case 'metadata.name': return event.metadata.name
    case 'metadata.namespace': return event.metadata.namespace
    case 'involvedObject.fieldPath': return ''
    case 'reason': return event.reason
    case 'reportingComponent': return event.reportingComponent
    case 'source': return event.source.component
    case 'type': return event.type
  }
  const involved = /^involvedObject\.(kind|namespace|name|uid|apiVersion|resourceVersion)$/.exec(field)
  return involved ? event.involvedObject[involved[1] as keyof KubeEventObject] : undefined
}

/**
 * Events are named as a recorder names them, `<object>.<hex>`, the hex being the event id (where
 * a recorder puts a timestamp), so a name finds its event again without a lookup table.
 */
export function eventName(objectName: string, id: number): string {
  return `${objectName}.${id.toString(16).padStart(12, '0')}`
}

/** The event id a name carries, or undefined when it is not one of ours. */
export function eventIdOf(name: string): number | undefined {
  const match = /\.([0-9a-f]{12,})$/.exec(name)
  if (!match) return undefined
  const id = Number.parseInt(match[1]!, 16)
  return Number.isSafeInteger(id) && id > 0 ? id : undefined
}

/** Which object an event is about: `experiment:*` events (a new best included) are the Experiment's. */
export function isExperimentEvent(event: Pick<FeedEvent, 'type'>): boolean {
  return event.type.startsWith('experiment:')
}

/**
 * The core/v1 Event for one of our events, on the Experiment or the Trial it concerns, with
 * Katib's reasons and messages where Katib has them (conditions' reasons for the experiment;
 * the trial controller's for trials, which Katib words for its Jobs and we for the trial).
 * Undefined for a trial event whose trial is gone.
 */
export function eventObject(event: FeedEvent, namespace: string): KubeEvent | undefined {
  const onExperiment = isExperimentEvent(event)
  if (!onExperiment && (event.trialId === null || event.trialName === null)) return undefined
  const objectName = onExperiment ? event.experimentName : event.trialName!
  const at = rfc3339(event.at)
  const { reason, message, warning } = describeEvent(event)
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(objectName, event.id), namespace, uid: stableUid(`event:${event.id}`), resourceVersion: String(event.id), creationTimestamp: at },
    involvedObject: {
      apiVersion: KATIB_API_VERSION,
      kind: onExperiment ? 'Experiment' : 'Trial',
      namespace,
      name: objectName,
      uid: onExperiment ? event.experimentId : event.trialId!,
      resourceVersion: String(event.id),
    },
    // The API server refuses Events whose message is over 1 KiB; clients expect no more.
    reason,
    message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
    source: { component: EVENT_SOURCE },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type: warning ? 'Warning' : 'Normal',
    eventTime: null,
    reportingComponent: '',
    reportingInstance: '',
  }
}

interface Described {
  readonly reason: string
  readonly message: string
  readonly warning?: boolean
}

/** Katib's completion messages (experiment/util/status_util.go), by the reason we record. */
const EXPERIMENT_COMPLETIONS: Readonly<Record<string, string>> = {
  ExperimentGoalReached: 'Experiment has succeeded because Objective goal has reached',
  ExperimentMaxTrialsReached: 'Experiment has succeeded because max trial count has reached',
  ExperimentSuggestionEndReached: 'Experiment has succeeded because suggestion service has reached the end',
  ExperimentFailed: 'Experiment has failed because max failed count has reached',
  ExperimentStopped: 'Experiment was stopped',
}

function describeEvent(event: FeedEvent): Described {
  switch (event.type) {
    case 'experiment:created':
      return { reason: 'ExperimentCreated', message: 'Experiment is created' }
    case 'experiment:state-changed': {
      const { state, reason } = event.payload
      if (state === 'Running') return { reason: 'ExperimentRunning', message: 'Experiment is running' }
      if (state === 'Restarting') return { reason: 'ExperimentRestarting', message: 'Experiment is restarting' }
      if (state === 'Created') return { reason: 'ExperimentCreated', message: 'Experiment is created' }
      const fallback = state === 'Succeeded' ? 'ExperimentSucceeded' : 'ExperimentFailed'
      const why = reason ?? fallback
      return {
        reason: why,
        message: EXPERIMENT_COMPLETIONS[why] ?? (state === 'Succeeded' ? 'Experiment has succeeded' : 'Experiment has failed'),
        warning: state === 'Failed',
      }
    }
    case 'experiment:updated': {
      const counts = Object.entries(event.payload.spec).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)
      return { reason: 'ExperimentUpdated', message: `Experiment is updated${counts.length > 0 ? `: ${counts.join(', ')}` : ''}` }
    }
    case 'experiment:new-best': {
      const trial = event.trialName !== null ? ` ${event.trialName}` : ''
      const value = event.payload.objective === null ? '' : ` with objective value ${event.payload.objective}`
      return { reason: 'NewOptimalTrial', message: `Trial${trial} is the best so far${value}` }
    }
    case 'experiment:metadata-changed':
      return { reason: 'ExperimentMetadataChanged', message: 'Experiment labels or annotations are changed' }
    case 'trial:created':
      return { reason: 'TrialCreated', message: 'Trial is created' }
    case 'trial:restarted':
      return { reason: 'TrialRestarted', message: `Trial is started again from the beginning (attempt ${event.payload.restarts + 1})` }
    case 'trial:state-changed':
      return describeTrialState(event.payload)
    case 'trial:attempt-failed': {
      // As a Job's pod failure: the trial stays Running and its program runs again after the back-off.
      const p = event.payload
      const code = p.exitCode !== undefined ? `, exit code ${p.exitCode}` : ''
      return { reason: 'TrialAttemptFailed', message: `Attempt ${p.attempt} of ${p.attempts} failed (${p.reason}${code}); the trial runs again in ${p.retryInMs} ms`, warning: true }
    }
    default:
      // An event type added later (core/events.ts) still shows, under its own name.
      return { reason: reasonOf((event as { type: string }).type), message: `${(event as { type: string }).type}` }
  }
}

function describeTrialState(change: Extract<FeedEvent, { type: 'trial:state-changed' }>['payload']): Described {
  const detail = change.message ? `: ${change.message}` : ''
  switch (change.state) {
    case 'Pending': return { reason: change.reason ?? 'TrialCreated', message: 'Trial is waiting to run again' }
    case 'Running': return { reason: change.reason ?? 'TrialRunning', message: 'Trial is running' }
    case 'Succeeded': return { reason: change.reason ?? 'TrialSucceeded', message: `Trial has succeeded${objectiveOf(change.objective)}` }
    case 'Failed': return { reason: change.reason ?? 'TrialFailed', message: `Trial has failed${detail}`, warning: true }
    case 'Killed': return { reason: change.reason ?? 'TrialKilled', message: `Trial is killed${detail}` }
    case 'EarlyStopped': return { reason: change.reason ?? 'TrialEarlyStopped', message: `Trial is early stopped${detail}${objectiveOf(change.objective)}` }
    case 'MetricsUnavailable': return { reason: change.reason ?? 'MetricsUnavailable', message: 'Metrics are not available', warning: true }
  }
}

function objectiveOf(objective: number | null | undefined): string {
  return objective === undefined || objective === null ? '' : ` (objective ${objective})`
}

/** `experiment:metadata-changed` → `ExperimentMetadataChanged`: a reason in Kubernetes' UpperCamelCase. */
function reasonOf(type: string): string {
  return type.split(/[:-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')
}

/** A UUID-shaped id derived from a key: the same object gets the same uid on every replica and every read. */
export function stableUid(key: string): string {
  const hex = createHash('sha256').update(`tunewell:${key}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
