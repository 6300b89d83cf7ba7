/**
 * The loose shape of an object the fake stores. The fake handles every kind generically (JSON in,
 * JSON out), so fields beyond metadata stay untyped, as they are on the wire.
 */
export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  deletionGracePeriodSeconds?: number
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: OwnerReference[]
  finalizers?: string[]
  [key: string]: unknown
}

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  spec?: any
  status?: any
  [key: string]: any
}

export function clone<T>(value: T): T {
  return structuredClone(value)
}

/** Kubernetes' timestamp format: RFC 3339 in UTC with whole seconds. */
export function kubeTime(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

/** The same with nanoseconds, as pod logs' `timestamps=true` prints them. */
export function kubeTimeNano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')
}

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** The five characters the API server appends to a generateName. */
export function randomNameSuffix(): string {
  let suffix = ''
  for (let i = 0; i < 5; i++) suffix += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)]
  return suffix
}
