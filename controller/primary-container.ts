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
 * holds it), whatever the trial kind, with the container's JSON pointer below `node`; a bare pod
 * spec (no `metadata` around it) is its own template's spec.
 */
export function findPrimary(node: unknown, name: string, at = ''): { container: Container; pod: PodTemplate; pointer: string } | undefined {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) {
      const found = findPrimary(item, name, `${at}/${index}`)
      if (found) return found
    }
    return undefined
  }
  if (node === null || typeof node !== 'object') return undefined
  const record = node as Record<string, unknown>
  const spec = record.spec as Record<string, unknown> | undefined
  if (spec && typeof spec === 'object' && Array.isArray(spec.containers)) {
    const index = (spec.containers as Container[]).findIndex((c) => c?.name === name)
    if (index >= 0) return { container: spec.containers[index] as Container, pod: record as unknown as PodTemplate, pointer: `${at}/spec/containers/${index}` }
  }
  if (Array.isArray(record.containers)) {
    const index = (record.containers as Container[]).findIndex((c) => c?.name === name)
    if (index >= 0) return { container: record.containers[index] as Container, pod: { spec: record as unknown as PodTemplate['spec'] }, pointer: `${at}/containers/${index}` }
  }
  for (const [key, value] of Object.entries(record)) {
    const found = findPrimary(value, name, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    if (found) return found
  }
  return undefined
}
