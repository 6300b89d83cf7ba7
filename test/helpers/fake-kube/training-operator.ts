import { clone, kubeTime, type KubeObject } from './kube-object.ts'
import type { KubeApi } from './kube-api.ts'
import type { ResourceType } from './resource-types.ts'
import { KubeError } from './status.ts'

interface OperatorKind {
  kind: string
  specKey: string
  /** Replica types whose pods carry job-role=master and decide success when present. */
  masterTypes: string[]
}

/** The kubeflow.org/v1 kinds of the training operator, as the fake runs them. */
const KINDS: OperatorKind[] = [
  { kind: 'TFJob', specKey: 'tfReplicaSpecs', masterTypes: ['Chief', 'Master'] },
  { kind: 'PyTorchJob', specKey: 'pytorchReplicaSpecs', masterTypes: ['Master'] },
  { kind: 'XGBoostJob', specKey: 'xgbReplicaSpecs', masterTypes: ['Master'] },
  { kind: 'MPIJob', specKey: 'mpiReplicaSpecs', masterTypes: ['Launcher'] },
]

/**
 * A small training operator (kubeflow.org/v1 TFJob, PyTorchJob, XGBoostJob, MPIJob): one pod per
 * replica, named `<job>-<type>-<index>` with the operator's labels (`training.kubeflow.org/
 * job-name`, `replica-type`, `replica-index`, `job-role: master` on the chief/master, or on
 * worker 0 when there is none), and the job's status the way the operator writes it: conditions
 * Created, Running, then Succeeded (the master, else every worker, succeeded) or Failed (a replica
 * failed), replicaStatuses, startTime and completionTime. No restarts, no services.
 */
export class TrainingOperator {
  private readonly queued = new Set<string>()
  private closed = false

  constructor(private readonly api: KubeApi) {
    const pods = api.registry.lookup('pods')
    api.store.subscribe((event) => {
      if (this.closed || event.type === 'DELETED') return
      const operated = this.kindOf(event.resource)
      if (operated) return this.enqueue(event.resource, event.object.metadata.namespace!, event.object.metadata.name!)
      if (event.resource !== pods) return
      const owner = event.object.metadata.ownerReferences?.find((ref) => ref.controller && ref.apiVersion === 'kubeflow.org/v1')
      const ownerType = owner ? api.registry.byKind(owner.apiVersion, owner.kind) : undefined
      if (owner && ownerType) this.enqueue(ownerType, event.object.metadata.namespace!, owner.name)
    })
  }

  private kindOf(type: ResourceType): OperatorKind | undefined {
    return type.group === 'kubeflow.org' && type.version === 'v1' ? KINDS.find((k) => k.kind === type.kind) : undefined
  }

  close(): void {
    this.closed = true
  }

  private enqueue(type: ResourceType, namespace: string, name: string): void {
    const key = `${type.kind}/${namespace}/${name}`
    if (this.queued.has(key)) return
    this.queued.add(key)
    setImmediate(() => {
      this.queued.delete(key)
      if (!this.closed) this.reconcile(type, namespace, name)
    })
  }

  private reconcile(type: ResourceType, namespace: string, name: string): void {
    const operated = this.kindOf(type)!
    const job = this.api.store.get(type, namespace, name)
    if (!job || job.metadata.deletionTimestamp) return
    const conditions: Record<string, unknown>[] = clone(job.status?.conditions ?? [])
    const has = (t: string) => conditions.some((c) => c.type === t && c.status === 'True')
    if (has('Succeeded') || has('Failed')) return
    const podType = this.api.registry.lookup('pods')
    const pods = this.api.store.dependents(job.metadata.uid!).filter(([t]) => t === podType).map(([, pod]) => pod)
    const specs: Record<string, { replicas?: number; template?: KubeObject['spec']; restartPolicy?: string }> = job.spec?.[operated.specKey] ?? {}
    const hasMaster = Object.keys(specs).some((t) => operated.masterTypes.includes(t))
    const replicaStatuses: Record<string, { active: number; succeeded: number; failed: number }> = {}
    const status = clone(job.status ?? {})
    const reasonOf = (what: string) => `${type.kind}${what}`
    if (!has('Created')) conditions.push(condition('Created', reasonOf('Created'), `${type.kind} ${namespace}/${name} is created.`))

    let masterDone: 'Succeeded' | 'Failed' | undefined
    let failedReplicas = ''
    let allSucceeded = true
    for (const [replicaType, spec] of Object.entries(specs)) {
      const counts = { active: 0, succeeded: 0, failed: 0 }
      for (let index = 0; index < (spec.replicas ?? 1); index++) {
        const podName = `${name}-${replicaType.toLowerCase()}-${index}`
        let pod = pods.find((p) => p.metadata.name === podName)
        const master = hasMaster ? operated.masterTypes.includes(replicaType) : replicaType === 'Worker' && index === 0
        if (!pod) {
          pod = this.createPod(job, type, replicaType, index, podName, spec, master)
          if (!pod) continue
        }
        const phase = pod.status?.phase
        if (phase === 'Succeeded') counts.succeeded++
        else if (phase === 'Failed') counts.failed++
        else counts.active++
        if (phase !== 'Succeeded') allSucceeded = false
        if (master && (phase === 'Succeeded' || phase === 'Failed')) masterDone = phase
      }
      if (counts.failed > 0) failedReplicas = `${counts.failed} ${replicaType} replica(s) failed.`
      replicaStatuses[replicaType] = counts
    }
    status.replicaStatuses = replicaStatuses
    status.startTime ??= kubeTime()
    status.lastReconcileTime = kubeTime()
    const running = Object.values(replicaStatuses).some((c) => c.active > 0)
    const setRunning = (value: 'True' | 'False') => {
      const at = conditions.findIndex((c) => c.type === 'Running')
      const next = condition('Running', reasonOf('Running'), `${type.kind} ${namespace}/${name} is running.`, value)
      if (at >= 0) {
        if (conditions[at]!.status !== value) conditions[at] = next
      } else if (value === 'True') conditions.push(next)
    }
    if (failedReplicas || masterDone === 'Failed') {
      setRunning('False')
      conditions.push(condition('Failed', reasonOf('Failed'), `${type.kind} ${namespace}/${name} has failed because ${failedReplicas || 'its master failed.'}`))
      status.completionTime = kubeTime()
    } else if (masterDone === 'Succeeded' || (!hasMaster && allSucceeded && Object.keys(specs).length > 0)) {
      setRunning('False')
      conditions.push(condition('Succeeded', reasonOf('Succeeded'), `${type.kind} ${namespace}/${name} successfully completed.`))
      status.completionTime = kubeTime()
    } else if (running) setRunning('True')
    status.conditions = conditions
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return
    const next = clone(job)
    next.status = status
    this.api.store.update(type, next)
  }

  private createPod(
    job: KubeObject,
    type: ResourceType,
    replicaType: string,
    index: number,
    podName: string,
    spec: { template?: KubeObject['spec']; restartPolicy?: string },
    master: boolean,
  ): KubeObject | undefined {
    const template = clone(spec.template ?? {})
    const labels: Record<string, string> = {
      ...template.metadata?.labels,
      'training.kubeflow.org/job-name': job.metadata.name!,
      'training.kubeflow.org/operator-name': `${type.kind.toLowerCase()}-controller`,
      'training.kubeflow.org/replica-type': replicaType.toLowerCase(),
      'training.kubeflow.org/replica-index': String(index),
      ...(master ? { 'training.kubeflow.org/job-role': 'master' } : {}),
    }
    const podSpec = template.spec ?? {}
    podSpec.restartPolicy = spec.restartPolicy === 'Never' || spec.restartPolicy === 'ExitCode' || !spec.restartPolicy ? 'Never' : 'OnFailure'
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        labels,
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [{ apiVersion: 'kubeflow.org/v1', kind: type.kind, name: job.metadata.name!, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: podSpec,
    }
    try {
      return this.api.create(this.api.registry.lookup('pods'), job.metadata.namespace, pod)
    } catch (error) {
      if (error instanceof KubeError) return undefined
      throw error
    }
  }
}

function condition(type: string, reason: string, message: string, status: 'True' | 'False' = 'True'): Record<string, unknown> {
  const now = kubeTime()
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now }
}
