import { randomBytes, randomUUID } from 'node:crypto'
import { kubeTime, type KubeObject } from './kube-object.ts'
import type { KubeApi } from './kube-api.ts'

/**
 * core/v1 Events about an object, as the job controller, scheduler and kubelet record them
 * (`kubectl describe` shows them; a client may read them for a failure's message).
 */
export class EventRecorder {
  enabled = true

  constructor(private readonly api: KubeApi) {}

  record(object: KubeObject, component: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (!this.enabled || !object.metadata.namespace) return
    const now = kubeTime()
    const events = this.api.registry.lookup('events')
    const exists = this.api.store.get(this.api.registry.lookup('namespaces'), undefined, object.metadata.namespace)
    if (!exists) return
    this.api.store.add(events, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`,
        namespace: object.metadata.namespace,
        uid: randomUUID(),
        creationTimestamp: now,
      },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component, ...(component === 'kubelet' ? { host: 'fake-node' } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? 'fake-node' : '',
    })
  }
}
