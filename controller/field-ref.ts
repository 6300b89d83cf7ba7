/**
 * Env `valueFrom` for a local trial: the downward API (fieldRef, resourceFieldRef) answered with
 * what this machine and the trial know, and a clear refusal for what only a cluster holds
 * (secretKeyRef, configMapKeyRef, fileKeyRef). What a local trial's "pod" is:
 *
 *  - metadata.name: `<trial>-<5 characters>`, the shape of a Job's pod name; the characters are
 *    derived from the trial's name, so a relaunch gets the same name.
 *  - metadata.uid: a UUID derived from the namespace and that pod name.
 *  - metadata.labels / annotations: the pod template's, plus Katib's (katib.kubeflow.org/trial,
 *    katib.kubeflow.org/experiment) and, for a Job, its job-name labels. A missing key is "".
 *  - spec.nodeName: this host's name; status.hostIP(s) and status.podIP(s): 127.0.0.1.
 *  - spec.serviceAccountName: the pod template's, else "default".
 *  - resourceFieldRef: the container's limits and requests with the divisor, rounded up as the
 *    kubelet does; an unset limit is this machine's (CPU count, memory, free disk of the base
 *    directory), as Kubernetes gives the node's allocatable; an unset request is the limit when
 *    that is set (API defaulting), else 0.
 */
import { createHash } from 'node:crypto'
import { statfsSync } from 'node:fs'
import { availableParallelism, hostname, totalmem } from 'node:os'
import type { Container } from './primary-container.ts'

export interface LocalPod {
  readonly name: string
  readonly namespace: string
  readonly uid: string
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: Readonly<Record<string, string>>
  readonly serviceAccountName: string
  readonly containers: readonly Container[]
  /** For ephemeral-storage: the disk the trial writes to. */
  readonly baseDir: string
}

const LOCAL_IP = '127.0.0.1'
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** The `<trial>-xxxxx` name a Job would give its pod, derived from the trial's name. */
export function localPodName(trialName: string): string {
  const digest = createHash('sha256').update(trialName).digest()
  let suffix = ''
  for (let k = 0; k < 5; k++) suffix += NAME_ALPHABET[digest[k] % NAME_ALPHABET.length]
  return `${trialName}-${suffix}`
}

export function localPodUid(namespace: string, podName: string): string {
  const hex = createHash('sha256').update(`${namespace}/${podName}`).digest('hex')
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * The value of env `name`'s valueFrom for `container` in `pod`; throws an Error that says what
 * is wrong and what to write instead.
 */
export function resolveValueFrom(name: string, valueFrom: unknown, container: Container, pod: LocalPod): string {
  const source = (valueFrom ?? {}) as Record<string, unknown>
  const kinds = Object.keys(source)
  if (kinds.length !== 1) throw new Error(`env ${name}: valueFrom must name exactly one source (fieldRef, resourceFieldRef, ...), it has ${kinds.join(', ') || 'none'}`)
  const kind = kinds[0]
  const ref = source[kind] as Record<string, unknown> | undefined
  if (kind === 'fieldRef') return fieldRef(name, String(ref?.fieldPath ?? ''), pod)
  if (kind === 'resourceFieldRef') return resourceFieldRef(name, ref ?? {}, container, pod)
  if (kind === 'secretKeyRef' || kind === 'configMapKeyRef' || kind === 'fileKeyRef') {
    const what = kind === 'secretKeyRef' ? 'Secret' : kind === 'configMapKeyRef' ? 'ConfigMap' : 'file in a volume'
    const where = ref?.name !== undefined ? ` ${String(ref.name)}` : ''
    const key = ref?.key !== undefined ? ` key "${String(ref.key)}"` : ''
    throw new Error(`env ${name} reads the ${what}${where}${key} (valueFrom.${kind}), which only a Kubernetes cluster holds; ` +
      `for a local run give it a literal value (env: [{name: ${name}, value: "..."}]) or submit the experiment to a cluster`)
  }
  throw new Error(`env ${name}: valueFrom.${kind} is not a source Kubernetes knows (fieldRef, resourceFieldRef, secretKeyRef, configMapKeyRef)`)
}

function fieldRef(name: string, path: string, pod: LocalPod): string {
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path)
  if (subscript) {
    const map = subscript[1] === 'labels' ? pod.labels : pod.annotations
    return map[subscript[2]] ?? ''
  }
  switch (path) {
    case 'metadata.name': return pod.name
    case 'metadata.namespace': return pod.namespace
    case 'metadata.uid': return pod.uid
    case 'spec.nodeName': return hostname()
    case 'spec.serviceAccountName': return pod.serviceAccountName
    case 'status.hostIP': case 'status.hostIPs': case 'status.podIP': case 'status.podIPs': return LOCAL_IP
  }
  throw new Error(`env ${name}: fieldRef.fieldPath "${path}" is not one an env variable can read; use metadata.name, metadata.namespace, metadata.uid, ` +
    `metadata.labels['<key>'], metadata.annotations['<key>'], spec.nodeName, spec.serviceAccountName, status.hostIP or status.podIP`)
}

function resourceFieldRef(name: string, ref: Record<string, unknown>, container: Container, pod: LocalPod): string {
  const resource = String(ref.resource ?? '')
  const match = /^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-.+)$/.exec(resource)
  if (!match) throw new Error(`env ${name}: resourceFieldRef.resource "${resource}" is not one Kubernetes exposes; use limits.cpu, limits.memory, limits.ephemeral-storage or requests.<same>`)
  const [, kind, resourceName] = match
  let target = container
  if (ref.containerName !== undefined && ref.containerName !== container.name) {
    const other = pod.containers.find((c) => c.name === ref.containerName)
    if (!other) throw new Error(`env ${name}: resourceFieldRef.containerName "${String(ref.containerName)}" names no container of the pod`)
    target = other
  }
  const limit = target.resources?.limits?.[resourceName]
  const request = target.resources?.requests?.[resourceName]
  const given = kind === 'limits' ? limit : request ?? limit
  let amount: number
  if (given !== undefined) amount = quantity(name, String(given))
  else if (kind === 'requests') amount = 0
  else amount = allocatable(resourceName, pod.baseDir)
  const divisor = quantity(name, String(ref.divisor ?? '1'))
  if (!(divisor > 0)) throw new Error(`env ${name}: resourceFieldRef.divisor must be above 0`)
  // The kubelet rounds the amount up to whole milli-CPUs or bytes, then the quotient up.
  if (resourceName === 'cpu') return String(Math.ceil(milli(amount) / milli(divisor)))
  return String(Math.ceil(Math.ceil(amount) / Math.ceil(divisor)))
}

function milli(amount: number): number {
  return Math.ceil(Math.round(amount * 1e9) / 1e6)
}

function allocatable(resource: string, baseDir: string): number {
  if (resource === 'cpu') return availableParallelism()
  if (resource === 'memory') return totalmem()
  if (resource === 'ephemeral-storage') {
    const stats = statfsSync(baseDir)
    return stats.bavail * stats.bsize
  }
  return 0
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }

/** A Kubernetes quantity ("500m", "2Gi", "1e3") as a number of units. */
export function quantity(name: string, text: string): number {
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]?)|[eE]([+-]?\d+))$/.exec(text.trim())
  if (!match) throw new Error(`env ${name}: "${text}" is not a Kubernetes quantity (such as 500m, 2, 1Gi or 128M)`)
  const number = Number(match[1])
  if (match[2]) return number * BINARY[match[2]]
  const exponent = match[4] !== undefined ? Number(match[4]) : DECIMAL_EXPONENT[match[3] ?? '']
  // Dividing keeps 100u exactly 0.0001, where multiplying by 1e-6 would not.
  return exponent < 0 ? number / 10 ** -exponent : number * 10 ** exponent
}
