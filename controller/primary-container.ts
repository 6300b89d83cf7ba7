/** The fields of a Kubernetes container that a local trial uses. */
export interface Container {
  name?: string
  command?: string[]
  args?: string[]
  env?: { name: string; value?: string; valueFrom?: unknown }[]
  workingDir?: string
}

/** The container named `name` anywhere in a trial manifest (Job, PyTorchJob replica specs, ...). */
export function findContainer(node: unknown, name: string): Container | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findContainer(item, name)
      if (found) return found
    }
    return undefined
  }
  if (node === null || typeof node !== 'object') return undefined
  const record = node as Record<string, unknown>
  if (Array.isArray(record.containers)) {
    const match = (record.containers as Container[]).find((c) => c?.name === name)
    if (match) return match
  }
  for (const value of Object.values(record)) {
    const found = findContainer(value, name)
    if (found) return found
  }
  return undefined
}
