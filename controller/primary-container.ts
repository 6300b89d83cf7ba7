/** The fields of a Kubernetes container that a local trial uses. */
export interface Container {
  name?: string
  command?: string[]
  args?: string[]
  env?: { name: string; value?: string; valueFrom?: unknown }[]
  envFrom?: unknown[]
  workingDir?: string
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> }
}

/** A pod template as a trial manifest holds one: its metadata and the spec around the container. */
export interface PodTemplate {
  readonly metadata?: { labels?: Record<string, unknown>; annotations?: Record<string, unknown> }
  readonly spec: { containers: Container[]; serviceAccountName?: string; serviceAccount?: string }
}

/** The container named `name` anywhere in a trial manifest (Job, PyTorchJob replica specs, ...). */
export function findContainer(node: unknown, name: string): Container | undefined {
  return findPrimary(node, name)?.container
}

/**
 * The container named `name` and the pod template it is in (the object whose `spec.containers`
 * holds it), whatever the trial kind; a bare pod spec (no `metadata` around it) is its own
 * template's spec.
 */
export function findPrimary(node: unknown, name: string): { container: Container; pod: PodTemplate } | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findPrimary(item, name)
      if (found) return found
    }
    return undefined
  }
  if (node === null || typeof node !== 'object') return undefined
  const record = node as Record<string, unknown>
  const spec = record.spec as Record<string, unknown> | undefined
  if (spec && typeof spec === 'object' && Array.isArray(spec.containers)) {
    const match = (spec.containers as Container[]).find((c) => c?.name === name)
    if (match) return { container: match, pod: record as unknown as PodTemplate }
  }
  if (Array.isArray(record.containers)) {
    const match = (record.containers as Container[]).find((c) => c?.name === name)
    if (match) return { container: match, pod: { spec: record as unknown as PodTemplate['spec'] } }
  }
  for (const value of Object.values(record)) {
    const found = findPrimary(value, name)
    if (found) return found
  }
  return undefined
}
