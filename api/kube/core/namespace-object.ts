import { rfc3339 } from '../../../core/katib/rfc3339.ts'
import type { ExperimentRecord } from '../../../db/store.ts'
import { DEFAULT_NAMESPACE, namespaceOf } from '../object-meta.ts'
import { stableUid } from './event-object.ts'

/** A core/v1 Namespace as a server serves an active one. */
export interface KubeNamespace {
  readonly apiVersion: 'v1'
  readonly kind: 'Namespace'
  readonly metadata: {
    readonly name: string
    readonly uid: string
    readonly resourceVersion: string
    readonly creationTimestamp: string
    readonly labels: Readonly<Record<string, string>>
  }
  readonly spec: { readonly finalizers: readonly string[] }
  readonly status: { readonly phase: 'Active' }
}

/** The fields namespaces can be selected by, as a server allows. */
export const NAMESPACE_FIELDS = ['metadata.name', 'status.phase'] as const

// A namespace here is only a name experiments carry; `default` exists before any does, as in
// a new cluster, so kubectl's default context always finds its namespace. It dates from the
// start of this process when no experiment is older.
const PROCESS_START = new Date(Date.now() - Math.round(process.uptime() * 1000))

/**
 * The namespaces in use (those of the experiments, plus `default`), by name, each created when
 * its oldest experiment was. `resourceVersion` is the list's: a namespace has no history of its
 * own here, nothing of it can change but its existence.
 */
export function namespaceObjects(experiments: readonly Pick<ExperimentRecord, 'spec' | 'createdAt'>[], resourceVersion: string): KubeNamespace[] {
  const oldest = new Map<string, Date>([[DEFAULT_NAMESPACE, PROCESS_START]])
  for (const experiment of experiments) {
    const name = namespaceOf(experiment.spec)
    const seen = oldest.get(name)
    if (seen === undefined || experiment.createdAt < seen) oldest.set(name, experiment.createdAt)
  }
  return [...oldest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, createdAt]) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        uid: stableUid(`namespace:${name}`),
        resourceVersion,
        creationTimestamp: rfc3339(createdAt),
        labels: { 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    }))
}

export function namespaceField(namespace: KubeNamespace, field: string): string | undefined {
  if (field === 'metadata.name') return namespace.metadata.name
  if (field === 'status.phase') return namespace.status.phase
  return undefined
}
