import { spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ContainerConfigError, containerEnv, expandReferences, runContainer, signalGroup, type Container, type ContainerExit } from './container-process.ts'
import { clone, kubeTime, type KubeObject } from './kube-object.ts'
import type { EventRecorder } from './event-recorder.ts'
import type { KubeApi } from './kube-api.ts'
import type { PodLogs } from './pod-logs.ts'
import type { PodBehaviour, PodScripts } from './pod-behaviour.ts'
import { condition, containersOf, waitingStatus } from './pod-status.ts'
import { emptyDirPaths, rewritePaths, type VolumePaths } from './pod-volumes.ts'

export interface KubeletOptions {
  /** Delay between the steps a pod goes through (scheduled, creating, running). */
  stepDelayMs: number
  /** Host variables the containers' processes inherit (a local process needs PATH). */
  passEnv: string[]
  /** Commands for images whose containers give none (the image's entrypoint). */
  entrypoints: Record<string, string[]>
  /** Upper bound on a deletion's grace period, so a test does not wait 30 s for SIGKILL. */
  maxGracePeriodMs: number
  /** First wait before restarting a failed container (restartPolicy OnFailure); it doubles per restart. */
  restartBackoffMs: number
  /** Where pods get a folder when their containers name no workingDir. */
  workDir: string
  serviceHost: string
  servicePort: string
}

interface RunningContainer {
  name: string
  child?: ChildProcess
  timer?: NodeJS.Timeout
  exited: boolean
  killedAs?: 'OOMKilled'
  sidecar: boolean
  restarts: number
  /** Starts (or restarts) the container's process. */
  launch: () => void
}

interface PodRun {
  uid: string
  namespace: string
  name: string
  containers: Map<string, RunningContainer>
  timers: NodeJS.Timeout[]
  stopping: boolean
  restartPolicy: string
  /** The regular containers are done: the native sidecars are being stopped, not restarted. */
  sidecarsStopping?: boolean
}

const NODE_NAME = 'fake-node'

/**
 * A kubelet for one node: schedules each new pod, then (by the pod's scripted behaviour) runs its
 * containers as local processes and reports their lifecycle in the pod's status the way a real
 * kubelet does: Pending (PodScheduled, ContainerCreating) -> Running -> Succeeded or Failed, with
 * containerStatuses (running, then terminated with exitCode and reason Completed, Error,
 * OOMKilled or StartError). A pod being deleted gets SIGTERM, SIGKILL after its grace period, and
 * is removed once its processes have ended.
 */
export class Kubelet {
  private readonly runs = new Map<string, PodRun>()
  private podIp = 10
  private closed = false

  constructor(
    private readonly api: KubeApi,
    private readonly logs: PodLogs,
    private readonly scripts: PodScripts,
    private readonly options: KubeletOptions,
    private readonly events: EventRecorder,
  ) {
    const pods = api.registry.lookup('pods')
    api.onPodTerminating = (pod) => this.terminate(pod)
    api.store.subscribe((event) => {
      if (event.resource !== pods || this.closed) return
      const pod = event.object
      if (event.type === 'ADDED' && !pod.spec?.nodeName) this.admit(pod)
      if (event.type === 'DELETED') this.forget(pod.metadata.uid!)
    })
  }

  /** Processes still running, for tests that check a kill reached them. */
  runningPids(): number[] {
    const pids: number[] = []
    for (const run of this.runs.values()) {
      for (const container of run.containers.values()) if (!container.exited && container.child?.pid) pids.push(container.child.pid)
    }
    return pids
  }

  private later(run: PodRun | undefined, ms: number, step: () => void): void {
    const timer = setTimeout(() => {
      if (!this.closed) step()
    }, ms)
    run?.timers.push(timer)
  }

  /** Reads the pod, changes it, writes it back; nothing when it is gone or replaced. */
  private updatePod(uid: string, namespace: string, name: string, change: (pod: KubeObject) => void): KubeObject | undefined {
    const pods = this.api.registry.lookup('pods')
    const current = this.api.store.get(pods, namespace, name)
    if (!current || current.metadata.uid !== uid) return undefined
    const next = clone(current)
    next.status ??= {}
    change(next)
    return this.api.store.update(pods, next)
  }

  private admit(pod: KubeObject): void {
    const uid = pod.metadata.uid!
    const namespace = pod.metadata.namespace!
    const name = pod.metadata.name!
    const behaviour = this.scripts.behaviourOf(pod)
    const run: PodRun = { uid, namespace, name, containers: new Map(), timers: [], stopping: false, restartPolicy: pod.spec?.restartPolicy ?? 'Always' }
    this.runs.set(uid, run)
    const step = this.options.stepDelayMs
    if (behaviour.kind === 'pendingForever') {
      this.later(run, step, () => {
        const message = behaviour.message ?? '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.'
        this.events.record(pod, 'default-scheduler', 'Warning', 'FailedScheduling', message)
        this.updatePod(uid, namespace, name, (p) => {
          p.status.conditions = [
            {
              type: 'PodScheduled',
              status: 'False',
              lastProbeTime: null,
              lastTransitionTime: kubeTime(),
              reason: 'Unschedulable',
              message,
            },
          ]
        })
      })
      return
    }
    this.later(run, step, () => {
      const ip = `10.244.0.${this.podIp++ % 250}`
      const scheduled = this.updatePod(uid, namespace, name, (p) => {
        p.spec.nodeName = NODE_NAME
        p.status = {
          ...p.status,
          phase: 'Pending',
          hostIP: '172.18.0.2',
          podIP: ip,
          podIPs: [{ ip }],
          startTime: kubeTime(),
          conditions: [
            condition('PodReadyToStartContainers', 'True'),
            condition('Initialized', 'True'),
            condition('Ready', 'False', 'ContainersNotReady'),
            condition('ContainersReady', 'False', 'ContainersNotReady'),
            condition('PodScheduled', 'True'),
          ],
          containerStatuses: containersOf(p).map((c) => waitingStatus(c, 'ContainerCreating')),
        }
      })
      if (!scheduled) return
      this.events.record(scheduled, 'default-scheduler', 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${NODE_NAME}`)
      this.later(run, step, () => this.start(run, scheduled, behaviour))
    })
  }

  private start(run: PodRun, pod: KubeObject, behaviour: PodBehaviour): void {
    const { uid, namespace, name } = run
    if (run.stopping) return
    if (behaviour.kind === 'imagePullError') {
      const image = containersOf(pod)[0]?.image ?? ''
      const pullMessage =
        behaviour.message ??
        `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": not found`
      this.events.record(pod, 'kubelet', 'Normal', 'Pulling', `Pulling image "${image}"`)
      this.events.record(pod, 'kubelet', 'Warning', 'Failed', `Failed to pull image "${image}": ${pullMessage}`)
      this.events.record(pod, 'kubelet', 'Warning', 'Failed', 'Error: ErrImagePull')
      this.updatePod(uid, namespace, name, (p) => {
        p.status.containerStatuses = containersOf(p).map((c, i) => waitingStatus(c, i === 0 ? 'ErrImagePull' : 'PodInitializing', i === 0 ? pullMessage : undefined))
      })
      this.later(run, this.options.stepDelayMs * 2, () => {
        this.events.record(pod, 'kubelet', 'Normal', 'BackOff', `Back-off pulling image "${image}"`)
        this.events.record(pod, 'kubelet', 'Warning', 'Failed', 'Error: ImagePullBackOff')
        this.updatePod(uid, namespace, name, (p) => {
          p.status.containerStatuses = containersOf(p).map((c, i) =>
            waitingStatus(c, i === 0 ? 'ImagePullBackOff' : 'PodInitializing', i === 0 ? `Back-off pulling image "${image}"` : undefined),
          )
        })
      })
      return
    }
    const containers = containersOf(pod)
    const sidecars: Container[] = (pod.spec?.initContainers ?? []).filter((c: Container) => c.restartPolicy === 'Always')
    const envs = new Map<string, Record<string, string>>()
    try {
      for (const c of [...sidecars, ...containers]) {
        envs.set(c.name, containerEnv(pod, c, this.api.store, this.api.registry, { passEnv: this.options.passEnv, serviceHost: this.options.serviceHost, servicePort: this.options.servicePort }))
      }
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) throw error
      this.events.record(pod, 'kubelet', 'Warning', 'Failed', `Error: ${error.message}`)
      this.updatePod(uid, namespace, name, (p) => {
        p.status.containerStatuses = containersOf(p).map((c) => waitingStatus(c, 'CreateContainerConfigError', error.message))
      })
      // A kubelet syncs the pod again, so a Secret or ConfigMap created later lets it start.
      this.later(run, this.options.restartBackoffMs * 5, () => this.start(run, pod, behaviour))
      return
    }
    const startedAt = kubeTime()
    this.updatePod(uid, namespace, name, (p) => {
      p.status.phase = 'Running'
      p.status.conditions = [
        condition('PodReadyToStartContainers', 'True'),
        condition('Initialized', 'True'),
        condition('Ready', 'True'),
        condition('ContainersReady', 'True'),
        condition('PodScheduled', 'True'),
      ]
      p.status.containerStatuses = containersOf(p).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: `${c.image}@sha256:fake`,
        containerID: `containerd://${uid.replace(/-/g, '')}${c.name}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt } },
        lastState: {},
      }))
      if (sidecars.length > 0) {
        p.status.initContainerStatuses = sidecars.map((c) => ({ name: c.name, image: c.image, ready: true, started: true, restartCount: 0, state: { running: { startedAt } } }))
      }
    })
    const podDir = join(this.options.workDir, uid)
    mkdirSync(podDir, { recursive: true })
    // emptyDir: a folder per pod and volume, the containers' paths rewritten into it (pod-volumes.ts).
    const volumes = new Map<string, VolumePaths>()
    for (const c of [...sidecars, ...containers]) volumes.set(c.name, emptyDirPaths(pod, c as Parameters<typeof emptyDirPaths>[1], podDir))
    for (const c of [...sidecars, ...containers]) {
      this.events.record(pod, 'kubelet', 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`)
      this.events.record(pod, 'kubelet', 'Normal', 'Created', `Created container: ${c.name}`)
      this.events.record(pod, 'kubelet', 'Normal', 'Started', `Started container ${c.name}`)
    }
    const launches: (() => void)[] = []
    for (const c of [...sidecars, ...containers]) {
      const sidecar = sidecars.includes(c)
      const paths = volumes.get(c.name)!
      const env = Object.fromEntries(Object.entries(envs.get(c.name)!).map(([k, v]) => [k, rewritePaths(v, paths)]))
      const entry: RunningContainer = { name: c.name, exited: false, sidecar, restarts: 0, launch: () => {} }
      run.containers.set(c.name, entry)
      entry.launch = () => {
        entry.exited = false
        entry.killedAs = undefined
        const instanceStartedAt = kubeTime()
        const onExit = (exit: ContainerExit) => this.containerExited(run, entry, exit, instanceStartedAt)
        if (behaviour.kind === 'simulate') {
          for (const line of behaviour.logLines ?? []) this.logs.append(uid, c.name, line)
          entry.timer = setTimeout(() => onExit({ exitCode: sidecar ? 0 : (behaviour.exitCode ?? 0) }), (behaviour.durationMs ?? 0) + spreadOf(pod.metadata.name ?? '', behaviour.spreadMs ?? 0))
          return
        }
        const argv = [...(c.command ?? this.options.entrypoints[c.image ?? ''] ?? []), ...(c.args ?? [])].map((a) => rewritePaths(expandReferences(a, env), paths))
        if ((c.command ?? this.options.entrypoints[c.image ?? '']) === undefined) {
          setImmediate(() => onExit({ exitCode: 128, startError: `fake-kube: image "${c.image}" has no entrypoint known to the fake (pass entrypoints)` }))
          return
        }
        const workingDir = c.workingDir ? rewritePaths(c.workingDir, paths) : undefined
        const cwd = workingDir && tryMkdir(workingDir) ? workingDir : podDir
        entry.child = runContainer(argv, { cwd, env, onLine: (line) => this.logs.append(uid, c.name, line), onExit })
        if (behaviour.kind === 'oomKilled' && !sidecar) {
          entry.timer = setTimeout(() => {
            entry.killedAs = 'OOMKilled'
            signalGroup(entry.child!, 'SIGKILL')
          }, behaviour.afterMs ?? 0)
        }
      }
      launches.push(entry.launch)
    }
    // Native sidecars start first; the regular containers once each sidecar's startup probe passed (a kubelet's order).
    for (const launch of launches.slice(0, sidecars.length)) launch()
    const probes = sidecars.flatMap((c) => {
      const command = (c as { startupProbe?: { exec?: { command?: string[] } } }).startupProbe?.exec?.command
      return command ? [command.map((a) => rewritePaths(a, volumes.get(c.name)!))] : []
    })
    const startMains = () => {
      for (const launch of launches.slice(sidecars.length)) launch()
    }
    if (probes.length === 0) startMains()
    else this.probeUntilStarted(run, probes, podDir, startMains)
  }

  /** Runs the sidecars' exec startup probes until each exits 0, then `next` (the kubelet probes every periodSeconds; here more often). */
  private probeUntilStarted(run: PodRun, probes: string[][], cwd: string, next: () => void): void {
    const pending = probes.filter((argv) => spawnSync(argv[0]!, argv.slice(1), { cwd, stdio: 'ignore' }).status !== 0)
    if (pending.length === 0) return next()
    this.later(run, 50, () => {
      if (!run.stopping) this.probeUntilStarted(run, pending, cwd, next)
    })
  }

  /** restartPolicy OnFailure (or Always): the container runs again in the same pod after a back-off. */
  private restart(run: PodRun, entry: RunningContainer, terminated: Record<string, unknown>): void {
    entry.restarts++
    const delayMs = Math.min(this.options.restartBackoffMs * 2 ** (entry.restarts - 1), this.options.restartBackoffMs * 300)
    const podRef = `${run.name}_${run.namespace}(${run.uid})`
    const key = entry.sidecar ? 'initContainerStatuses' : 'containerStatuses'
    const waiting = this.updatePod(run.uid, run.namespace, run.name, (p) => {
      p.status[key] = (p.status[key] ?? []).map((s: { name: string }) =>
        s.name === entry.name
          ? {
              ...s,
              ready: false,
              started: false,
              restartCount: entry.restarts,
              state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.ceil(delayMs / 1000)}s restarting failed container=${entry.name} pod=${podRef}` } },
              lastState: { terminated },
            }
          : s,
      )
      p.status.conditions = (p.status.conditions ?? []).map((cond: { type: string }) =>
        cond.type === 'Ready' || cond.type === 'ContainersReady' ? { ...cond, status: 'False', reason: 'ContainersNotReady', lastTransitionTime: kubeTime() } : cond,
      )
    })
    if (!waiting) return
    this.events.record(waiting, 'kubelet', 'Warning', 'BackOff', `Back-off restarting failed container ${entry.name} in pod ${podRef}`)
    this.later(run, delayMs, () => {
      if (run.stopping || (entry.sidecar && run.sidecarsStopping)) return
      // The log of the instance that ended becomes the `previous=true` one.
      this.logs.rotate(run.uid, entry.name)
      entry.launch()
      this.updatePod(run.uid, run.namespace, run.name, (p) => {
        p.status[key] = (p.status[key] ?? []).map((s: { name: string }) =>
          s.name === entry.name ? { ...s, ready: true, started: true, state: { running: { startedAt: kubeTime() } } } : s,
        )
        const allReady = (p.status.containerStatuses ?? []).every((s: { ready?: boolean }) => s.ready)
        p.status.conditions = (p.status.conditions ?? []).map((cond: { type: string }) =>
          (cond.type === 'Ready' || cond.type === 'ContainersReady') && allReady ? { type: cond.type, status: 'True', lastProbeTime: null, lastTransitionTime: kubeTime() } : cond,
        )
      })
    })
  }

  private containerExited(run: PodRun, entry: RunningContainer, exit: ContainerExit, startedAt: string): void {
    entry.exited = true
    if (entry.timer) clearTimeout(entry.timer)
    this.logs.end(run.uid, entry.name)
    const reason = entry.killedAs ?? (exit.startError ? 'StartError' : exit.exitCode === 0 ? 'Completed' : 'Error')
    const terminated = {
      exitCode: entry.killedAs === 'OOMKilled' ? 137 : exit.exitCode,
      ...(exit.signal ? { signal: { SIGKILL: 9, SIGTERM: 15 }[exit.signal as string] } : {}),
      reason,
      ...(exit.startError ? { message: exit.startError } : {}),
      startedAt: exit.startError ? '1970-01-01T00:00:00Z' : startedAt,
      finishedAt: kubeTime(),
      containerID: `containerd://${run.uid.replace(/-/g, '')}${entry.name}`,
    }
    const exitCode = terminated.exitCode
    if (!run.stopping && !entry.sidecar && (run.restartPolicy === 'Always' || (run.restartPolicy === 'OnFailure' && exitCode !== 0))) {
      return this.restart(run, entry, terminated)
    }
    const mains = [...run.containers.values()].filter((c) => !c.sidecar)
    const allMainsDone = mains.every((c) => c.exited)
    // A native sidecar (restartPolicy Always) that ends while the regular containers run is restarted, whatever the pod's policy.
    if (!run.stopping && entry.sidecar && !allMainsDone && !run.sidecarsStopping) return this.restart(run, entry, terminated)
    const sidecarsToStop = allMainsDone && !run.sidecarsStopping ? [...run.containers.values()].filter((c) => c.sidecar && !c.exited) : []
    if (allMainsDone) run.sidecarsStopping = true
    const allDone = [...run.containers.values()].every((c) => c.exited)
    const updated = this.updatePod(run.uid, run.namespace, run.name, (p) => {
      const key = entry.sidecar ? 'initContainerStatuses' : 'containerStatuses'
      p.status[key] = (p.status[key] ?? []).map((s: { name: string }) =>
        s.name === entry.name ? { ...s, ready: false, started: false, state: { terminated } } : s,
      )
      // The pod's phase comes from its regular containers, once every container (the sidecars too) has ended.
      if (allDone) {
        const failed = mains.some((c) => {
          const status = (p.status.containerStatuses ?? []).find((s: { name: string }) => s.name === c.name)
          return status?.state?.terminated?.exitCode !== 0
        })
        p.status.phase = failed ? 'Failed' : 'Succeeded'
        p.status.conditions = (p.status.conditions ?? []).map((cond: { type: string }) =>
          cond.type === 'Ready' || cond.type === 'ContainersReady' ? { ...cond, status: 'False', reason: 'PodCompleted', lastTransitionTime: kubeTime() } : cond,
        )
      } else {
        p.status.conditions = (p.status.conditions ?? []).map((cond: { type: string }) =>
          cond.type === 'Ready' || cond.type === 'ContainersReady' ? { ...cond, status: 'False', reason: 'ContainersNotReady', lastTransitionTime: kubeTime() } : cond,
        )
      }
    })
    if (allDone) {
      if (run.stopping) this.api.finalizePod(run.namespace, run.name, run.uid)
      else if (!updated) this.forget(run.uid)
    }
    // Native sidecars get SIGTERM once the regular containers are done (SIGKILL after the grace period).
    for (const c of sidecarsToStop) {
      if (c.child) signalGroup(c.child, 'SIGTERM')
      else {
        if (c.timer) clearTimeout(c.timer)
        this.containerExited(run, c, { exitCode: 0 }, kubeTime())
      }
    }
    if (sidecarsToStop.some((c) => c.child)) {
      setTimeout(() => {
        for (const c of sidecarsToStop) if (c.child && !c.exited) signalGroup(c.child, 'SIGKILL')
      }, this.options.maxGracePeriodMs).unref()
    }
  }

  /** A graceful delete: SIGTERM now, SIGKILL after the grace period, removal when all ended. */
  private terminate(pod: KubeObject): void {
    const uid = pod.metadata.uid!
    const run = this.runs.get(uid)
    const live = run ? [...run.containers.values()].filter((c) => !c.exited) : []
    if (!run || live.length === 0) {
      if (run) {
        run.stopping = true
        for (const timer of run.timers) clearTimeout(timer)
      }
      this.api.finalizePod(pod.metadata.namespace!, pod.metadata.name!, uid)
      return
    }
    run.stopping = true
    for (const timer of run.timers) clearTimeout(timer)
    const graceMs = Math.min((pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000, this.options.maxGracePeriodMs)
    for (const c of live) {
      this.events.record(pod, 'kubelet', 'Normal', 'Killing', `Stopping container ${c.name}`)
      if (c.child) signalGroup(c.child, 'SIGTERM')
      else if (c.timer) {
        clearTimeout(c.timer)
        this.containerExited(run, c, { exitCode: 143, signal: 'SIGTERM' }, kubeTime())
      }
    }
    setTimeout(() => {
      for (const c of live) if (c.child && !c.exited) signalGroup(c.child, 'SIGKILL')
    }, graceMs).unref()
  }

  /** The pod object is gone (deleted at once or finalized): nothing of it may keep running. */
  private forget(uid: string): void {
    const run = this.runs.get(uid)
    if (!run) return
    run.stopping = true
    for (const timer of run.timers) clearTimeout(timer)
    for (const c of run.containers.values()) {
      if (c.timer) clearTimeout(c.timer)
      if (c.child && !c.exited) signalGroup(c.child, 'SIGKILL')
    }
    this.runs.delete(uid)
    this.logs.forget(uid)
  }

  /** Kills every process the fake started (closing the fake). */
  close(): Promise<void> {
    this.closed = true
    const waits: Promise<void>[] = []
    for (const run of this.runs.values()) {
      for (const timer of run.timers) clearTimeout(timer)
      for (const c of run.containers.values()) {
        if (c.timer) clearTimeout(c.timer)
        if (c.child && !c.exited) {
          waits.push(new Promise((resolve) => c.child!.once('close', () => resolve())))
          signalGroup(c.child, 'SIGKILL')
        }
      }
    }
    this.runs.clear()
    return Promise.all(waits).then(() => undefined)
  }
}

function tryMkdir(path: string): boolean {
  try {
    mkdirSync(path, { recursive: true })
    return true
  } catch {
    return false
  }
}

/** A pod's share of a simulated duration spread: the same for the same name, about uniform over [0, spreadMs). */
function spreadOf(name: string, spreadMs: number): number {
  if (spreadMs <= 0) return 0
  let hash = 2166136261
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619)
  return (hash >>> 0) % spreadMs
}
