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
  /**
   * KWOK style: no process; prints `logLines`, exits with `exitCode` after `durationMs`, plus up
   * to `spreadMs` more, fixed per pod by its name (trials of unequal length, repeatably).
   */
  | { kind: 'simulate'; exitCode?: number; durationMs?: number; spreadMs?: number; logLines?: string[] }

export interface PodScript {
  /** Matched against the pod's `job-name` label, else its own name. */
  name: NamePattern
  namespace?: string
  behaviour: PodBehaviour
  /** Only the pods of the first this many Jobs (or bare pods) it matches: a fault that strikes once, the later trials then run. */
  jobs?: number
}

export class PodScripts {
  private readonly scripts: PodScript[] = []
  /** Per limited script, the Jobs (or bare pods) it took. */
  private readonly claimed = new Map<PodScript, Set<string>>()
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
      (s) => (s.namespace === undefined || s.namespace === pod.metadata.namespace) && (nameMatches(s.name, subject) || nameMatches(s.name, pod.metadata.name)) && this.claims(s, pod, subject),
    )
    return script?.behaviour ?? this.defaultBehaviour
  }

  /** Whether a script limited to some Jobs has this pod's among them (taking it while there is room). */
  private claims(script: PodScript, pod: KubeObject, subject: string | undefined): boolean {
    if (script.jobs === undefined) return true
    const key = `${pod.metadata.namespace}/${subject}`
    let taken = this.claimed.get(script)
    if (!taken) this.claimed.set(script, (taken = new Set()))
    if (taken.has(key)) return true
    if (taken.size >= script.jobs) return false
    taken.add(key)
    return true
  }
}
