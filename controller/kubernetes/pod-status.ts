import type { Json } from './workload-api.ts'

/** Waiting reasons after which the container will not start without someone changing the spec or the registry. */
const HOPELESS_WAITING = new Set(['ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName'])

export interface ContainerView {
  /** Running or terminated: its log can be read. */
  readonly started: boolean
  readonly terminated: boolean
  /** How often the kubelet restarted it in this pod (restartPolicy OnFailure, Always): each run has a log of its own. */
  readonly restartCount: number
  readonly terminatedReason?: string
  /** The kubelet's or runtime's words on how it ended (`exec: "x": executable file not found in $PATH`), or the container's termination message. */
  readonly terminatedMessage?: string
  readonly exitCode?: number
  readonly waitingReason?: string
  readonly waitingMessage?: string
}

/** Whether the pod carries every one of the primary pod labels (none: every pod is a primary one, as in Katib). */
export function isPrimaryPod(pod: Json, primaryPodLabels: Readonly<Record<string, string>>): boolean {
  const labels = (pod.metadata?.labels ?? {}) as Record<string, string>
  return Object.entries(primaryPodLabels).every(([key, value]) => labels[key] === value)
}

/** The named container's state in the pod's status; undefined when the pod does not run one of that name (yet). */
export function containerView(pod: Json, name: string): ContainerView | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])] as Json[]
  const status = statuses.find((s) => s?.name === name)
  const phase = pod.status?.phase
  if (!status) {
    // A pod that ended before reporting container statuses (evicted, rejected) has no log to read.
    return phase === 'Failed' || phase === 'Succeeded' ? { started: false, terminated: true, restartCount: 0 } : undefined
  }
  const state = (status.state ?? {}) as Json
  const restartCount = Number(status.restartCount) || 0
  if (state.terminated) {
    const message = typeof state.terminated.message === 'string' && state.terminated.message.trim() ? { terminatedMessage: state.terminated.message.trim() } : {}
    return { started: true, terminated: true, restartCount, terminatedReason: state.terminated.reason, ...message, exitCode: state.terminated.exitCode }
  }
  if (state.running) return { started: true, terminated: false, restartCount }
  const last = status.lastState?.terminated as Json | undefined
  return {
    // Waiting: not (yet, or again, after a restart) running.
    started: false,
    terminated: false,
    restartCount,
    ...(state.waiting?.reason ? { waitingReason: state.waiting.reason } : {}),
    ...(state.waiting?.message ? { waitingMessage: state.waiting.message } : {}),
    ...(last?.reason ? { terminatedReason: last.reason, exitCode: last.exitCode } : {}),
  }
}

/** A container that cannot start (its image cannot be pulled): the trial fails with Kubernetes' reason and message. */
export function hopelessContainer(pod: Json, name: string): { reason: string; message: string } | undefined {
  const view = containerView(pod, name)
  if (!view?.waitingReason || !HOPELESS_WAITING.has(view.waitingReason)) return undefined
  return {
    reason: view.waitingReason,
    message: `container ${name} of pod ${pod.metadata?.name}: ${view.waitingReason}${view.waitingMessage ? `: ${view.waitingMessage}` : ''}`,
  }
}

/** How the primary container of failed pods ended (`OOMKilled, exit code 137`), for a failed trial's message. */
export function terminationNote(pods: readonly Json[], name: string): string | undefined {
  const notes: string[] = []
  for (const pod of pods) {
    const view = containerView(pod, name)
    if (!view?.terminatedReason || view.terminatedReason === 'Completed') continue
    const said = view.terminatedMessage ? `: ${clip(view.terminatedMessage)}` : ''
    notes.push(`container ${name} of pod ${pod.metadata?.name}: ${view.terminatedReason}${view.exitCode !== undefined ? ` (exit code ${view.exitCode})` : ''}${said}`)
  }
  if (notes.length === 0) return undefined
  return [...new Set(notes)].join('; ')
}

/** A termination message can be the container's last log lines (FallbackToLogsOnError): its end, on one line, is enough for a trial's message. */
function clip(message: string): string {
  const line = message.replace(/\s+/g, ' ')
  return line.length > 300 ? `...${line.slice(-300)}` : line
}
