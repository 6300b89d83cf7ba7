import { joinPointer } from './json-pointer.ts'
import { kubernetesSchema, modelNameOf, type SchemaCheck } from './kubernetes-schemas.ts'

/**
 * A part of a trialSpec that Kubernetes' own schemas describe: the whole manifest for a kind
 * kubernetes-models knows (Job, Pod, ...), or the pod templates inside a custom resource whose
 * layout is certain.
 */
export interface WorkloadPart {
  readonly value: unknown
  /** JSON pointer of `value`, relative to the trialSpec. */
  readonly pointer: string
  /** What a message calls it: "Job", "pod template". */
  readonly label: string
  readonly check: SchemaCheck
  /** client-node's model of `value`, for the unknown-field walk. */
  readonly model: string
}

/**
 * The parts of `trialSpec` to check, or undefined when its kind is none whose layout is known
 * (an Argo Workflow, a Tekton PipelineRun, a TrainJob): those are left to their own controllers.
 */
export function workloadParts(trialSpec: Record<string, unknown>): WorkloadPart[] | undefined {
  const { apiVersion, kind } = trialSpec
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined
  const whole = kubernetesSchema(apiVersion, kind)
  if (whole) return [{ value: trialSpec, pointer: '', label: kind, check: whole, model: modelNameOf(apiVersion, kind) }]
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''
  const spec = trialSpec.spec
  if (!isRecord(spec)) return undefined
  // Kubeflow's training operator (TFJob, PyTorchJob, XGBoostJob, MPIJob, MXJob, PaddleJob, JAXJob):
  // spec.<framework>ReplicaSpecs.<role>.template is a PodTemplateSpec.
  if (group === 'kubeflow.org') {
    const podTemplate = kubernetesSchema('v1', 'PodTemplateSpec', false)
    if (!podTemplate) return undefined
    const parts: WorkloadPart[] = []
    for (const [key, replicas] of Object.entries(spec)) {
      if (!key.endsWith('ReplicaSpecs') || !isRecord(replicas)) continue
      for (const [role, replica] of Object.entries(replicas)) {
        if (!isRecord(replica) || replica.template === undefined) continue
        parts.push({ value: replica.template, pointer: joinPointer('', 'spec', key, role, 'template'), label: `${role} pod template`, check: podTemplate, model: 'V1PodTemplateSpec' })
      }
    }
    return parts.length > 0 ? parts : undefined
  }
  // A JobSet: spec.replicatedJobs[].template is a JobTemplateSpec.
  if (group === 'jobset.x-k8s.io' && Array.isArray(spec.replicatedJobs)) {
    const jobTemplate = kubernetesSchema('batch/v1', 'JobTemplateSpec', false)
    if (!jobTemplate) return undefined
    const parts = spec.replicatedJobs.flatMap((job, i): WorkloadPart[] =>
      isRecord(job) && job.template !== undefined
        ? [{ value: job.template, pointer: joinPointer('', 'spec', 'replicatedJobs', i, 'template'), label: 'job template', check: jobTemplate, model: 'V1JobTemplateSpec' }]
        : [])
    return parts.length > 0 ? parts : undefined
  }
  return undefined
}

/** The `containers` lists of the parts (their init containers are never the primary one). */
export function containerNames(parts: readonly WorkloadPart[]): { names: string[]; lists: number } {
  const names: string[] = []
  let lists = 0
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit)
      return
    }
    if (!isRecord(node)) return
    if (Array.isArray(node.containers)) {
      lists++
      for (const container of node.containers) if (isRecord(container) && typeof container.name === 'string') names.push(container.name)
    }
    for (const value of Object.values(node)) visit(value)
  }
  for (const part of parts) visit(part.value)
  return { names, lists }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
