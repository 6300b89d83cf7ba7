import { clone, kubeTime, type KubeObject } from './kube-object.ts'
import type { KubeApi } from './kube-api.ts'
import type { EventRecorder } from './event-recorder.ts'
import type { PodScripts } from './pod-behaviour.ts'
import { KubeError } from './status.ts'

export interface JobControllerOptions {
  /** Wait before replacing a failed pod (the real controller backs off from 10 s). */
  podBackoffMs: number
}

interface Counted {
  succeeded: Set<string>
  failed: Set<string>
}

/**
 * The batch/v1 Job controller: pods from the template (generateName `<job>-`, the template's
 * labels, a controller ownerReference), replacements for failed pods up to backoffLimit, and the
 * Job status the way Kubernetes 1.31+ writes it: startTime, active/ready/succeeded/failed,
 * FailureTarget then Failed (BackoffLimitExceeded, DeadlineExceeded) once the active pods are
 * gone, SuccessCriteriaMet then Complete with completionTime. activeDeadlineSeconds is timed
 * from startTime; suspend deletes the active pods. Terminated pods are counted once, so deleting
 * them later does not lose the count (the real controller uses a finalizer for that). A finished
 * Job with ttlSecondsAfterFinished is deleted (with its pods) that long after.
 */
export class JobController {
  private readonly counted = new Map<string, Counted>()
  private readonly queued = new Set<string>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly nextPodAt = new Map<string, number>()
  private closed = false

  constructor(
    private readonly api: KubeApi,
    private readonly scripts: PodScripts,
    private readonly options: JobControllerOptions,
    private readonly events: EventRecorder,
  ) {
    const jobs = api.registry.lookup('jobs.batch')
    const pods = api.registry.lookup('pods')
    api.store.subscribe((event) => {
      if (event.resource === jobs) {
        if (event.type === 'DELETED') this.forget(event.object.metadata.uid!)
        else this.enqueue(event.object.metadata.namespace!, event.object.metadata.name!)
      } else if (event.resource === pods) {
        const owner = event.object.metadata.ownerReferences?.find((ref) => ref.controller && ref.kind === 'Job' && ref.apiVersion === 'batch/v1')
        if (owner) this.enqueue(event.object.metadata.namespace!, owner.name)
      }
    })
  }

  private enqueue(namespace: string, name: string): void {
    const key = `${namespace}/${name}`
    if (this.queued.has(key) || this.closed) return
    this.queued.add(key)
    setImmediate(() => {
      this.queued.delete(key)
      if (!this.closed) this.reconcile(namespace, name)
    })
  }

  private wakeAt(job: KubeObject, at: number): void {
    const uid = job.metadata.uid!
    clearTimeout(this.timers.get(uid))
    const timer = setTimeout(() => this.enqueue(job.metadata.namespace!, job.metadata.name!), Math.max(0, at - Date.now()) + 5)
    this.timers.set(uid, timer)
  }

  private forget(uid: string): void {
    clearTimeout(this.timers.get(uid))
    this.timers.delete(uid)
    this.counted.delete(uid)
    this.nextPodAt.delete(uid)
  }

  close(): void {
    this.closed = true
    for (const timer of this.timers.values()) clearTimeout(timer)
  }

  private reconcile(namespace: string, name: string): void {
    const { api } = this
    const jobs = api.registry.lookup('jobs.batch')
    const podType = api.registry.lookup('pods')
    const job = api.store.get(jobs, namespace, name)
    if (!job || job.metadata.deletionTimestamp) return
    const uid = job.metadata.uid!
    const spec = job.spec ?? {}
    const status = clone(job.status ?? {})
    const conditions: Record<string, unknown>[] = status.conditions ?? []
    const has = (type: string) => conditions.some((c) => c.type === type && c.status === 'True')
    if (has('Complete') || has('Failed')) return

    const counted = this.counted.get(uid) ?? { succeeded: new Set<string>(), failed: new Set<string>() }
    this.counted.set(uid, counted)
    const pods = api.store.dependents(uid).filter(([type]) => type === podType).map(([, pod]) => pod)
    for (const pod of pods) {
      if (pod.status?.phase === 'Succeeded') counted.succeeded.add(pod.metadata.uid!)
      if (pod.status?.phase === 'Failed') counted.failed.add(pod.metadata.uid!)
    }
    const active = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp)
    const terminating = pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    const now = Date.now()

    if (spec.suspend) {
      for (const pod of active) this.deletePod(job, pod)
      status.active = 0
      return this.write(job, status)
    }
    status.startTime ??= kubeTime(now)
    const startedMs = Date.parse(status.startTime)

    let failure: { reason: string; message: string } | undefined
    if (counted.failed.size > (spec.backoffLimit ?? 6) || this.pastBackoffLimitOnFailure(job, active)) {
      failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }
    }
    else if (spec.activeDeadlineSeconds !== undefined && now >= startedMs + spec.activeDeadlineSeconds * 1000) {
      failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }
    } else if (active.some((p) => p.status?.phase === 'Running' && this.scripts.behaviourOf(p).kind === 'deadlineExceeded')) {
      failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }
    } else if (has('FailureTarget')) {
      const target = conditions.find((c) => c.type === 'FailureTarget')!
      failure = { reason: String(target.reason), message: String(target.message) }
    }
    if (spec.activeDeadlineSeconds !== undefined && !failure) this.wakeAt(job, startedMs + spec.activeDeadlineSeconds * 1000)

    status.succeeded = counted.succeeded.size
    status.failed = counted.failed.size
    status.uncountedTerminatedPods = {}
    if (failure) {
      if (!has('FailureTarget')) {
        conditions.push(jobCondition('FailureTarget', failure.reason, failure.message))
        this.events.record(job, 'job-controller', 'Warning', failure.reason, failure.message)
      }
      for (const pod of active) this.deletePod(job, pod)
      const stillRunning = active.length + terminating.length
      status.active = 0
      status.ready = 0
      status.terminating = stillRunning
      if (stillRunning === 0) {
        conditions.push(jobCondition('Failed', failure.reason, failure.message))
        status.terminating = 0
      }
      status.conditions = conditions
      return this.write(job, status)
    }
    const completions = spec.completions ?? 1
    if (counted.succeeded.size >= completions) {
      for (const pod of active) this.deletePod(job, pod)
      if (!has('SuccessCriteriaMet')) conditions.push(jobCondition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'))
      conditions.push(jobCondition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'))
      this.events.record(job, 'job-controller', 'Normal', 'Completed', 'Job completed')
      status.conditions = conditions
      status.completionTime = kubeTime()
      status.active = 0
      status.ready = 0
      status.terminating = 0
      return this.write(job, status)
    }

    let activeCount = active.length
    const wanted = Math.min(spec.parallelism ?? 1, completions - counted.succeeded.size) - activeCount
    if (wanted > 0) {
      const notBefore = this.nextPodAt.get(uid) ?? 0
      if (now < notBefore) this.wakeAt(job, notBefore)
      else {
        for (let i = 0; i < wanted; i++) if (this.createPod(job)) activeCount++
        if (counted.failed.size > 0) this.nextPodAt.set(uid, now + this.options.podBackoffMs)
      }
    }
    status.active = activeCount
    status.ready = active.filter((p) => p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True')).length
    status.terminating = terminating.length
    if (conditions.length > 0) status.conditions = conditions
    this.write(job, status)
  }

  /** With restartPolicy OnFailure the containers' restarts count against backoffLimit. */
  private pastBackoffLimitOnFailure(job: KubeObject, active: KubeObject[]): boolean {
    if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false
    let restarts = 0
    for (const pod of active) {
      for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) restarts += status.restartCount ?? 0
    }
    const limit = job.spec?.backoffLimit ?? 6
    return limit === 0 ? restarts > 0 : restarts >= limit
  }

  private createPod(job: KubeObject): boolean {
    const template = job.spec?.template ?? {}
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${job.metadata.name}-`,
        labels: { ...template.metadata?.labels },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: clone(template.spec),
    }
    try {
      const created = this.api.create(this.api.registry.lookup('pods'), job.metadata.namespace, pod)
      this.events.record(job, 'job-controller', 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`)
      return true
    } catch (error) {
      if (error instanceof KubeError) return false
      throw error
    }
  }

  private deletePod(job: KubeObject, pod: KubeObject): void {
    try {
      this.api.delete(this.api.registry.lookup('pods'), pod.metadata.namespace, pod.metadata.name!, { propagationPolicy: 'Background' })
      this.events.record(job, 'job-controller', 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`)
    } catch (error) {
      if (!(error instanceof KubeError)) throw error
    }
  }

  private write(job: KubeObject, status: KubeObject['status']): void {
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return
    const next = clone(job)
    next.status = status
    this.api.store.update(this.api.registry.lookup('jobs.batch'), next)
    const finished = (status.conditions ?? []).some((c: { type: string; status: string }) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
    const ttl = job.spec?.ttlSecondsAfterFinished
    if (finished && typeof ttl === 'number') this.expireAfter(next, ttl)
  }

  /** The TTL-after-finished controller: a finished Job (with its pods) goes ttlSecondsAfterFinished later. */
  private expireAfter(job: KubeObject, ttlSeconds: number): void {
    const uid = job.metadata.uid!
    clearTimeout(this.timers.get(uid))
    const timer = setTimeout(() => {
      const jobs = this.api.registry.lookup('jobs.batch')
      const current = this.api.store.get(jobs, job.metadata.namespace, job.metadata.name!)
      if (!current || current.metadata.uid !== uid || current.metadata.deletionTimestamp) return
      try {
        this.api.delete(jobs, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background' })
      } catch (error) {
        if (!(error instanceof KubeError)) throw error
      }
    }, ttlSeconds * 1000)
    this.timers.set(uid, timer)
  }
}

function jobCondition(type: string, reason: string, message: string): Record<string, unknown> {
  const now = kubeTime()
  return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message }
}
