import type { Log } from '@kubernetes/client-node'
import { workloadState } from '../../core/conditions/index.ts'
import type { ExitResult, LineListener, RunningTrial } from '../trial-executor.ts'
import { kubeErrorMessage, statusCodeOf, statusReasonOf } from './kube-error.ts'
import { retrying } from './retrying.ts'
import type { KubernetesHandle } from './kubernetes-handle.ts'
import { PodLogFollower } from './pod-log-follower.ts'
import { podsAccounted } from './pods-accounted.ts'
import { containerView, hopelessContainer, isPrimaryPod, terminationNote } from './pod-status.ts'
import type { RenderedWorkload } from './render-workload.ts'
import type { SharedWatch } from './shared-watch.ts'
import { UnknownKindError, type Json, type WorkloadApi } from './workload-api.ts'
import { isTrialWorkload, TRIAL_LABEL } from './workload-labels.ts'

export interface TrialWorkloadDeps {
  readonly api: WorkloadApi
  readonly log: Log
  /** The shared watch of the workload's kind in its namespace (keyed by name), and of the pods there (keyed by trial label). */
  readonly workloads: SharedWatch
  readonly pods: SharedWatch
  readonly retryMs: number
  readonly drainMs: number
  /** How long, once the trial ended, its pods' logs get to arrive in full before they are cut off. */
  readonly logWaitMs: number
  /** How long a workload of an earlier attempt that is being deleted may take to go before this create gives up. */
  readonly deletionWaitMs: number
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * One trial's workload on the cluster, as the runner sees a running trial: created (or adopted
 * when it already exists: the name is the trial's, so a second create is a 409 and never a
 * second workload), followed through the shared watches, its primary pods' logs streamed into
 * the collector, ended by its success or failure condition, stopped by deleting it.
 */
export class TrialWorkload implements RunningTrial {
  readonly handle: KubernetesHandle
  readonly done: Promise<ExitResult>
  readonly #workload: RenderedWorkload
  readonly #deps: TrialWorkloadDeps
  /** The containers of each primary pod whose log is read, and where their lines go: the primary container's, and a Custom collector's. */
  readonly #logged: readonly (readonly [container: string, onLine: LineListener])[]
  /** By pod uid and container, the follower of the container's current run; `retired`: those of runs the kubelet restarted, still reading. */
  readonly #followers = new Map<string, { follower: PodLogFollower; running: Promise<void>; restartCount: number }>()
  readonly #retired: { follower: PodLogFollower; running: Promise<void> }[] = []
  readonly #unsubscribe: (() => void)[] = []
  #resolve!: (result: ExitResult) => void
  #ending = false
  #detached = false
  #stopReason: string | undefined
  #podsSeen: Json[] = []
  /** The watch has shown the workload: from now on its absence means it was deleted. */
  #seenOnce = false
  /** The workload as the watch last showed it. */
  #lastSeen: Json | undefined
  /** Re-attached after a controller restart: a container found restarted had runs before this one, not followed here. */
  #attached = false
  /** Containers whose log was followed here, by pod uid and container. */
  readonly #podsFollowed = new Set<string>()

  private constructor(workload: RenderedWorkload, deps: TrialWorkloadDeps, onLine: LineListener, uid: string, onCollectorLine?: LineListener) {
    this.#workload = workload
    this.#deps = deps
    this.#logged = [
      [workload.primaryContainerName, onLine],
      ...(workload.collectorContainerName !== undefined && onCollectorLine ? [[workload.collectorContainerName, onCollectorLine] as const] : []),
    ]
    this.handle = {
      kind: 'kubernetes',
      apiVersion: workload.apiVersion,
      workloadKind: workload.kind,
      namespace: workload.namespace,
      name: workload.name,
      uid,
    }
    this.done = new Promise<ExitResult>((resolve) => (this.#resolve = resolve))
  }

  /**
   * Creates the workload (or adopts this trial's existing one) and follows it; never rejects: a
   * refusal is a failed `done`. `onLine` gets the primary container's log lines, `onCollectorLine`
   * those of the Custom collector's container (RenderedWorkload.collectorContainerName).
   */
  static async start(workload: RenderedWorkload, deps: TrialWorkloadDeps, onLine: LineListener, onCollectorLine?: LineListener): Promise<TrialWorkload> {
    let created: Json
    try {
      created = await createOrAdopt(workload, deps)
    } catch (error) {
      const trial = new TrialWorkload(workload, deps, onLine, '', onCollectorLine)
      trial.#ending = true
      trial.#resolve(refusal(workload, error))
      return trial
    }
    const trial = new TrialWorkload(workload, deps, onLine, String(created.metadata?.uid ?? ''), onCollectorLine)
    trial.#follow()
    return trial
  }

  /**
   * Follows a workload that already exists (`uid`: the one a previous controller created, as its
   * handle names it): the shared watches report its state, finished or not, and its primary
   * pods' logs are read from their start.
   */
  static attach(workload: RenderedWorkload, deps: TrialWorkloadDeps, onLine: LineListener, uid: string, onCollectorLine?: LineListener): TrialWorkload {
    const trial = new TrialWorkload(workload, deps, onLine, uid, onCollectorLine)
    trial.#attached = true
    trial.#follow()
    return trial
  }

  stop(reason: string): void {
    if (this.#ending || this.#stopReason !== undefined) return
    this.#stopReason = reason
    void this.#stopWorkload(reason)
  }

  /**
   * Stops following and leaves the workload running; the next controller finds it by its
   * handle. `settle`: `done` resolves with reason 'Detached' (the runner handing the trial over);
   * otherwise it stays pending (the executor closing). An end under way (its logs being read)
   * neither deletes the workload nor reports: the next controller reads it again.
   */
  detach(settle = false): void {
    if (this.#detached) return
    this.#detached = true
    this.#ending = true
    for (const { follower } of [...this.#retired, ...this.#followers.values()]) follower.stop()
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    if (settle) this.#resolve({ phase: 'failed', reason: 'Detached', message: `left running for the next controller: ${this.#workload.kind} ${this.#workload.namespace}/${this.#workload.name}` })
  }

  #follow(): void {
    const { workloads, pods } = this.#deps
    this.#unsubscribe.push(workloads.subscribe(this.#workload.name, {
      onChange: (objects, listed) => void this.#onWorkload(objects, listed),
      onError: (message, code) => this.#onWatchError(`cannot watch ${this.#workload.kind} ${this.#workload.namespace}/${this.#workload.name}`, message, code),
    }))
    this.#unsubscribe.push(pods.subscribe(this.#workload.name, {
      onChange: (objects) => this.#onPods(objects),
      onError: (message, code) => this.#onWatchError(`cannot watch the pods of ${this.#workload.namespace}/${this.#workload.name}`, message, code),
    }))
  }

  async #onWorkload(objects: readonly Json[], listed: boolean): Promise<void> {
    if (this.#ending) return
    const own = objects.find((o) => o.metadata?.uid === this.handle.uid)
    if (!own) {
      // Absent from a watch event or a list that may predate the create: ask the object itself.
      if (!listed && objects.length === 0 && !this.#seenOnce) return
      let current: Json | undefined
      try {
        current = await retrying(() => this.#deps.api.read(this.#ref()), this.#deps.retryMs)
      } catch {
        // Unanswered: the watch's next event or list decides.
        return
      }
      if (current?.metadata?.uid === this.handle.uid) return void this.#onWorkload([current], false)
      if (this.#stopReason !== undefined) return void this.#end(this.#stopped(this.#stopReason))
      return void this.#end({ phase: 'failed', reason: 'WorkloadDeleted', message: `${this.#workload.kind} ${this.#workload.namespace}/${this.#workload.name} was deleted before the trial ended` }, false)
    }
    this.#seenOnce = true
    this.#lastSeen = own
    if (own.metadata?.deletionTimestamp && this.#stopReason !== undefined) return
    const state = workloadState(own, { successCondition: this.#workload.successCondition, failureCondition: this.#workload.failureCondition })
    if (state.state === 'Running') return
    if (state.state === 'Succeeded') return void this.#end({ phase: 'succeeded' }, true, true)
    return void this.#end({ phase: 'failed', reason: state.reason, message: state.message }, true, true)
  }

  #onPods(pods: readonly Json[]): void {
    if (this.#ending && this.#followers.size === 0) return
    this.#podsSeen = [...pods]
    this.#track(pods, !this.#ending)
  }

  /** Follows the logs of each primary pod's containers once they started (when `follow`), and tells each follower whether its container ended. */
  #track(pods: readonly Json[], follow: boolean): void {
    const present = new Set<string>()
    for (const pod of pods) {
      if (!isPrimaryPod(pod, this.#workload.primaryPodLabels) || !this.#mayOwn(pod)) continue
      const uid = String(pod.metadata?.uid)
      for (const [container, onLine] of this.#logged) {
        const key = `${uid}/${container}`
        present.add(key)
        // A collector whose image cannot be pulled keeps the trial's containers from ever starting, too.
        const hopeless = hopelessContainer(pod, container)
        if (hopeless && !this.#ending && this.#stopReason === undefined) {
          void this.#end({ phase: 'failed', ...hopeless })
          continue
        }
        const view = containerView(pod, container)
        if (!view) continue
        let entry = this.#followers.get(key)
        if (entry && view.restartCount > entry.restartCount) {
          // Restarted in place: the run followed so far is over; its log is the pod's previous one now.
          entry.follower.containerRestarted()
          this.#retired.push(entry)
          this.#followers.delete(key)
          entry = undefined
        }
        if (!entry && view.started && follow) {
          const ref = { namespace: this.#workload.namespace, pod: String(pod.metadata?.name), container }
          const options = { retryMs: this.#deps.retryMs, drainMs: this.#deps.drainMs }
          const follower = new PodLogFollower(this.#deps.log, ref, onLine, options)
          let running: Promise<void>
          if (this.#attached && !this.#podsFollowed.has(key) && view.restartCount > 0) {
            // Re-attached to a container the kubelet restarted meanwhile: the run before this one
            // is the pod's previous log (the only earlier one Kubernetes keeps), read first, so the
            // lines arrive in the order they were printed.
            const previous = new PodLogFollower(this.#deps.log, ref, onLine, options)
            previous.containerRestarted()
            const read = previous.run()
            this.#retired.push({ follower: previous, running: read })
            running = read.then(() => follower.run())
          } else {
            running = follower.run()
          }
          void running.then(() => {
            if (follower.refused && this.#stopReason === undefined) void this.#end(this.#logRefusal(ref.pod, container))
          })
          this.#podsFollowed.add(key)
          entry = { follower, running, restartCount: view.restartCount }
          this.#followers.set(key, entry)
        }
        if (view.terminated || pod.metadata?.deletionTimestamp) entry?.follower.containerTerminated()
      }
    }
    // A pod that is gone has no more log to give.
    for (const [key, entry] of this.#followers) if (!present.has(key)) entry.follower.containerTerminated()
  }

  /**
   * A pod of this trial's name may be left from an earlier attempt's workload, still being
   * deleted: one owned by another object of the workload's own kind is not this one's. (Pods
   * owned through an intermediate object, a TrainJob's JobSet or a PipelineRun's TaskRun, are
   * told apart only by their trial label.)
   */
  #mayOwn(pod: Json): boolean {
    const owners = (pod.metadata?.ownerReferences ?? []) as Json[]
    return !owners.some((o) => o.kind === this.#workload.kind && o.apiVersion === this.#workload.apiVersion && o.uid !== this.handle.uid)
  }

  /**
   * The log cannot be read (403): its metrics never would be, so the trial fails (at once, or
   * when it finished first) rather than ending as a run without metrics. client-node's Log drops
   * the refusal's Status body, so the message says what to grant instead.
   */
  #logRefusal(pod: string, container: string): ExitResult {
    const { namespace } = this.#workload
    return {
      phase: 'failed',
      reason: 'Forbidden',
      message: `cannot read the log of container ${container} of pod ${pod}: the Kubernetes API answered 403 Forbidden; the controller's account needs "get" on "pods/log" in namespace ${namespace} (see docs/kubernetes.md, RBAC)`,
    }
  }

  #onWatchError(what: string, message: string, code: number | undefined): void {
    // The watch retries passing failures by itself; a refusal (RBAC, a namespace gone) would last.
    if (code === 403 || code === 404) void this.#end({ phase: 'failed', reason: code === 403 ? 'Forbidden' : 'NotFound', message: `${what}: ${message}` })
  }

  async #stopWorkload(reason: string): Promise<void> {
    const failure = await retrying(() => this.#deps.api.delete(this.#ref(), this.handle.uid || undefined), this.#deps.retryMs).then(() => undefined, (error: unknown) => error)
    if (failure !== undefined) {
      return this.#end({ phase: 'failed', reason, message: `trial was stopped (${reason}), but its ${this.#workload.kind} could not be deleted: ${kubeErrorMessage(failure)}` }, false)
    }
    // Its pods end on their own (the garbage collector deletes them, gracefully): what they print meanwhile still counts.
    await this.#end(this.#stopped(reason), false)
  }

  #stopped(reason: string): ExitResult {
    return { phase: 'failed', reason, message: `trial was stopped (${reason})` }
  }

  /**
   * Once: lets the primary pods' logs arrive in full, stops following, deletes the workload
   * unless it is to be kept, and reports. With `inspectPods` (the workload finished by itself)
   * the trial's pods are read first: the workload's status can come before the pod watch shows
   * a short-lived pod at all, and its log must still be read, and how it ended told.
   */
  async #end(result: ExitResult, deleteWorkload = true, inspectPods = false): Promise<void> {
    if (this.#ending) return
    this.#ending = true
    let pods = this.#podsSeen
    // Not listed when the pod watch has already shown every pod the Job counts (pods-accounted.ts).
    if (inspectPods && !podsAccounted(this.#lastSeen, pods.filter((p) => this.#mayOwn(p)))) {
      pods = await retrying(() => this.#deps.api.list('v1', 'Pod', this.#workload.namespace, `${TRIAL_LABEL}=${this.#workload.name}`), this.#deps.retryMs)
        .then((listed) => listed.items, (error: unknown) => {
          // Refused (RBAC): its pods' logs, so its metrics, cannot be read; a run "without metrics" would hide why.
          if (statusCodeOf(error) === 403 && result.phase === 'succeeded') {
            result = { phase: 'failed', reason: 'Forbidden', message: `cannot list the pods of ${this.#workload.namespace}/${this.#workload.name}: ${kubeErrorMessage(error)}` }
          }
          return this.#podsSeen
        })
      this.#track(pods, true)
    }
    const all = [...this.#retired, ...this.#followers.values()]
    for (const { follower } of all) follower.containerTerminated()
    const logs = Promise.all(all.map((f) => f.running))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([logs, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#deps.logWaitMs)))])
    clearTimeout(timer)
    for (const { follower } of all) follower.stop()
    const refused = all.find(({ follower }) => follower.refused)
    if (refused && result.phase === 'succeeded') result = this.#logRefusal(refused.follower.pod, refused.follower.container)
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    if (this.#detached) return
    if (inspectPods && result.phase === 'failed') {
      const note = terminationNote(pods.filter((p) => isPrimaryPod(p, this.#workload.primaryPodLabels)), this.#workload.primaryContainerName)
      if (note) result = { ...result, message: `${result.message} (${note})` }
    }
    if (deleteWorkload && !this.#workload.retain && this.handle.uid) {
      // Katib deletes a finished trial's job unless trialTemplate.retain says to keep it.
      await retrying(() => this.#deps.api.delete(this.#ref(), this.handle.uid), this.#deps.retryMs).catch(() => {})
    }
    this.#resolve(result)
  }

  #ref() {
    return { apiVersion: this.#workload.apiVersion, kind: this.#workload.kind, namespace: this.#workload.namespace, name: this.#workload.name }
  }
}

/**
 * Creates the workload. A 409 means one of that name exists: this trial's own (a create that
 * went through before a crash or a lost answer) is adopted; one being deleted (an earlier
 * attempt's, stopped) is waited out and the create repeated; anything else is no trial's to take.
 */
async function createOrAdopt(workload: RenderedWorkload, deps: TrialWorkloadDeps): Promise<Json> {
  const ref = { apiVersion: workload.apiVersion, kind: workload.kind, namespace: workload.namespace, name: workload.name }
  const giveUpAt = Date.now() + deps.deletionWaitMs
  for (;;) {
    try {
      return await retrying(() => deps.api.create(workload.manifest), deps.retryMs)
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error
    }
    const existing = await retrying(() => deps.api.read(ref), deps.retryMs)
    if (existing === undefined) continue
    if (!isTrialWorkload(existing.metadata?.labels, workload.name)) {
      throw new AdoptionRefused(`a ${workload.kind} named ${workload.namespace}/${workload.name} already exists and is not this trial's (it lacks the labels Tunewell gives its trials); delete or rename it`)
    }
    if (!existing.metadata?.deletionTimestamp) return existing
    if (Date.now() > giveUpAt) throw new AdoptionRefused(`${workload.kind} ${workload.namespace}/${workload.name} of an earlier attempt of this trial is still being deleted`)
    await sleep(deps.retryMs)
  }
}

class AdoptionRefused extends Error {}

/** The trial's failure when its workload cannot be created: Kubernetes' own reason (Forbidden, Invalid, NotFound, ...) and message. */
function refusal(workload: RenderedWorkload, error: unknown): ExitResult {
  const ours = error instanceof AdoptionRefused || error instanceof UnknownKindError
  const reason = error instanceof AdoptionRefused ? 'AlreadyExists' : error instanceof UnknownKindError ? 'UnknownKind' : statusReasonOf(error) ?? 'CreateError'
  const message = ours ? error.message : kubeErrorMessage(error)
  return { phase: 'failed', reason, message: `cannot create ${workload.kind} ${workload.namespace}/${workload.name}: ${message}` }
}
