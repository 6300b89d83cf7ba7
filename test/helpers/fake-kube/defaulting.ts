import type { KubeObject } from './kube-object.ts'
import type { ResourceType } from './resource-types.ts'

function defaultPodSpec(spec: KubeObject['spec']): void {
  if (!spec) return
  spec.restartPolicy ??= 'Always'
  spec.terminationGracePeriodSeconds ??= 30
  spec.dnsPolicy ??= 'ClusterFirst'
  spec.schedulerName ??= 'default-scheduler'
  spec.securityContext ??= {}
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const tagged = /:[^/]+$/.test(container.image ?? '') && !String(container.image).endsWith(':latest')
    container.imagePullPolicy ??= tagged ? 'IfNotPresent' : 'Always'
    container.terminationMessagePath ??= '/dev/termination-log'
    container.terminationMessagePolicy ??= 'File'
    container.resources ??= {}
  }
}

/**
 * The defaults the API server fills in on create, those a client may come to rely on: a Job's
 * selector and pod-template labels, backoffLimit 6, completions and parallelism 1; a pod's
 * restartPolicy and grace period.
 */
export function applyDefaults(type: ResourceType, object: KubeObject): void {
  if (type.group === 'batch' && type.kind === 'Job') {
    const uid = object.metadata.uid!
    const spec = (object.spec ??= {})
    if (!spec.manualSelector) spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } }
    spec.backoffLimit ??= 6
    spec.completions ??= 1
    spec.parallelism ??= 1
    spec.completionMode ??= 'NonIndexed'
    spec.suspend ??= false
    spec.podReplacementPolicy ??= 'TerminatingOrFailed'
    const template = (spec.template ??= {})
    const metadata = (template.metadata ??= {})
    metadata.labels = {
      ...metadata.labels,
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': object.metadata.name,
      'controller-uid': uid,
      'job-name': object.metadata.name,
    }
    defaultPodSpec(template.spec)
  } else if (type.group === '' && type.kind === 'Pod') {
    defaultPodSpec(object.spec)
    object.status = { phase: 'Pending', qosClass: 'BestEffort' }
  } else if (type.group === '' && type.kind === 'Namespace') {
    object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name! }
    object.spec = { finalizers: ['kubernetes'] }
    object.status = { phase: 'Active' }
  }
}
