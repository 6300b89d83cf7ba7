import type { Container } from './container-process.ts'
import { kubeTime, type KubeObject } from './kube-object.ts'

/** Pieces of a pod's status as the kubelet writes them. */

export function containersOf(pod: KubeObject): Container[] {
  return pod.spec?.containers ?? []
}

export function condition(type: string, status: string, reason?: string): Record<string, unknown> {
  return { type, status, lastProbeTime: null, lastTransitionTime: kubeTime(), ...(reason ? { reason } : {}) }
}

export function waitingStatus(c: Container, reason: string, message?: string): Record<string, unknown> {
  return {
    name: c.name,
    image: c.image,
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason, ...(message ? { message } : {}) } },
    lastState: {},
  }
}
