import { nameMatches, type NamePattern } from './faults.ts'
import type { KubeObject } from './kube-object.ts'

/**
 * What the simulated kubelet does with a pod. `run` (the default) runs each container's
 * command as a local process; the others script the failures a cluster has.
 */
export type PodBehaviour =
  | { kind: 'run' }
  /** Runs the process, then kills it as the OOM killer does: exit 137, reason OOMKilled. */
  | { kind: 'oomKilled'; afterMs?: number }
  /** ErrImagePull, then ImagePullBackOff; the containers never start. */
  | { kind: 'imagePullError'; message?: string }
  /** Never scheduled: PodScheduled False, Unschedulable. */
  | { kind: 'pendingForever'; message?: string }
  /** Runs as `run`, but its Job fails with DeadlineExceeded as soon as the pod runs. */
  | { kind: 'deadlineExceeded' }
  /** KWOK style: no process; prints `logLines`, exits with `exitCode` after `durationMs`. */
  | { kind: 'simulate'; exitCode?: number; durationMs?: number; logLines?: string[] }

export interface PodScript {
  /** Matched against the pod's `job-name` label, else its own name. */
  name: NamePattern
  namespace?: string
  behaviour: PodBehaviour
}

export class PodScripts {
  private readonly scripts: PodScript[] = []
  defaultBehaviour: PodBehaviour = { kind: 'run' }

  add(script: PodScript): () => void {
    this.scripts.unshift(script)
    return () => {
      const at = this.scripts.indexOf(script)
      if (at >= 0) this.scripts.splice(at, 1)
    }
  }

  /** The newest script that matches the pod, else the default. */
  behaviourOf(pod: KubeObject): PodBehaviour {
    const subject = pod.metadata.labels?.['job-name'] ?? pod.metadata.name
    const script = this.scripts.find(
      (s) => (s.namespace === undefined || s.namespace === pod.metadata.namespace) && (nameMatches(s.name, subject) || nameMatches(s.name, pod.metadata.name)),
    )
    return script?.behaviour ?? this.defaultBehaviour
  }
}
