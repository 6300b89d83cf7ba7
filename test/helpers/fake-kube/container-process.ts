import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { KubeObject } from './kube-object.ts'
import type { ObjectStore } from './object-store.ts'
import type { ResourceRegistry } from './resource-types.ts'

export interface Container {
  name: string
  image?: string
  command?: string[]
  args?: string[]
  workingDir?: string
  env?: { name: string; value?: string; valueFrom?: Record<string, Record<string, unknown>> }[]
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean }; prefix?: string }[]
  restartPolicy?: string
}

/** Kubernetes' `$(VAR)` expansion in env values, command and args; `$$(VAR)` stays literal. */
export function expandReferences(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$'
    return name !== undefined && Object.hasOwn(env, name) ? env[name]! : whole
  })
}

function fieldRef(pod: KubeObject, path: string): string {
  const labelMatch = path.match(/^metadata\.(labels|annotations)\['(.+)'\]$/)
  if (labelMatch) return pod.metadata[labelMatch[1] as 'labels' | 'annotations']?.[labelMatch[2]!] ?? ''
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? ''
    case 'metadata.namespace':
      return pod.metadata.namespace ?? ''
    case 'metadata.uid':
      return pod.metadata.uid ?? ''
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? ''
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default'
    case 'status.podIP':
      return pod.status?.podIP ?? ''
    case 'status.hostIP':
      return pod.status?.hostIP ?? ''
    default:
      return ''
  }
}

/** A missing ConfigMap or Secret keeps the container from starting (CreateContainerConfigError). */
export class ContainerConfigError extends Error {}

/** The container's environment: a few host variables a local process needs, then the spec's. */
export function containerEnv(
  pod: KubeObject,
  container: Container,
  store: ObjectStore,
  registry: ResourceRegistry,
  host: { passEnv: string[]; serviceHost: string; servicePort: string },
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of host.passEnv) if (process.env[name] !== undefined) env[name] = process.env[name]!
  env.HOSTNAME = pod.metadata.name!
  env.KUBERNETES_SERVICE_HOST = host.serviceHost
  env.KUBERNETES_SERVICE_PORT = host.servicePort
  const source = (kind: 'configmaps' | 'secrets', name: string, optional: boolean | undefined): Record<string, string> | undefined => {
    const object = store.get(registry.lookup(kind), pod.metadata.namespace, name)
    if (!object) {
      if (optional) return undefined
      throw new ContainerConfigError(`${kind === 'configmaps' ? 'configmap' : 'secret'} "${name}" not found`)
    }
    if (kind === 'configmaps') return object.data ?? {}
    return Object.fromEntries(Object.entries((object.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
  }
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef
    if (!ref) continue
    const data = source(from.configMapRef ? 'configmaps' : 'secrets', ref.name, ref.optional)
    for (const [key, value] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${key}`] = value
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = expandReferences(variable.value, env)
    else if (variable.valueFrom?.fieldRef) env[variable.name] = fieldRef(pod, String(variable.valueFrom.fieldRef.fieldPath))
    else if (variable.valueFrom?.configMapKeyRef || variable.valueFrom?.secretKeyRef) {
      const isMap = variable.valueFrom.configMapKeyRef !== undefined
      const ref = (variable.valueFrom.configMapKeyRef ?? variable.valueFrom.secretKeyRef) as { name: string; key: string; optional?: boolean }
      const data = source(isMap ? 'configmaps' : 'secrets', ref.name, ref.optional)
      if (data && Object.hasOwn(data, ref.key)) env[variable.name] = data[ref.key]!
      else if (data && !ref.optional) throw new ContainerConfigError(`couldn't find key ${ref.key} in ${isMap ? 'ConfigMap' : 'Secret'} ${pod.metadata.namespace}/${ref.name}`)
    } else env[variable.name] = ''
  }
  return env
}

export interface ContainerExit {
  exitCode: number
  signal?: NodeJS.Signals
  /** Set when the process never started (no such executable). */
  startError?: string
}

/**
 * Runs a container's command + args as a local process in a process group of its own (so a
 * kill reaches its children), each output line handed to `onLine` as the container log.
 */
export function runContainer(
  argv: string[],
  options: { cwd: string; env: Record<string, string>; onLine: (line: string) => void; onExit: (exit: ContainerExit) => void },
): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let reported = false
  const report = (exit: ContainerExit) => {
    if (reported) return
    reported = true
    options.onExit(exit)
  }
  child.on('error', (error) => {
    if (child.pid === undefined) report({ exitCode: 128, startError: `failed to create containerd task: exec: "${argv[0]}": ${error.message}` })
  })
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream, crlfDelay: Infinity }).on('line', options.onLine)
  child.on('close', (code, signal) => {
    const signals: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGABRT: 6, SIGSEGV: 11 }
    report({ exitCode: code ?? 128 + (signals[signal ?? ''] ?? 9), signal: signal ?? undefined })
  })
  return child
}

/** Signals a container's whole process group. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}
