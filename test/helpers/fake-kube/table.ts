import type { KubeObject } from './kube-object.ts'
import type { ResourceType } from './resource-types.ts'

/** A CRD's additionalPrinterColumns entry. */
export interface PrinterColumn {
  name: string
  type: string
  jsonPath: string
  description?: string
  priority?: number
  format?: string
}

/** Whether the client asked for a meta.k8s.io Table (kubectl get does). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.includes('as=Table') && !part.includes('q=0'))
}

/** The subset of JSONPath printer columns use: `.a.b`, `[n]`, `[-1:]`, `['key']`. */
export function evaluateColumnPath(object: unknown, path: string): unknown {
  let node: unknown = object
  const tokens = path.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? []
  for (const token of tokens) {
    if (node === undefined || node === null) return undefined
    if (token.startsWith('.')) node = (node as Record<string, unknown>)[token.slice(1)]
    else {
      const inner = token.slice(1, -1)
      const quoted = inner.match(/^'(.*)'$/)
      if (quoted) node = (node as Record<string, unknown>)[quoted[1]!]
      else if (!Array.isArray(node)) return undefined
      else if (inner.includes(':')) {
        const [from, to] = inner.split(':').map((n) => (n === '' ? undefined : Number(n)))
        node = node.slice(from, to)[0]
      } else node = node.at(Number(inner))
    }
  }
  return node
}

/** How the server prints a date column: the age, as Kubernetes' HumanDuration does. */
export function humanAge(timestamp: unknown, now = Date.now()): unknown {
  if (typeof timestamp !== 'string') return timestamp
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000))
  const minutes = Math.floor(seconds / 60)
  const hours = Math.floor(minutes / 60)
  const days = Math.floor(hours / 24)
  if (seconds < 120) return `${seconds}s`
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 180) return `${minutes}m`
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`
  return `${days}d`
}

const NAME_COLUMN = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 }
const AGE_COLUMN = { name: 'Age', type: 'date', format: '', description: 'CreationTimestamp', priority: 0 }

function builtInColumns(type: ResourceType): { columns: Record<string, unknown>[]; cells: (o: KubeObject) => unknown[] } {
  if (type.group === 'batch' && type.kind === 'Job') {
    return {
      columns: [
        { name: 'Status', type: 'string', format: '', description: 'Status of the job', priority: 0 },
        { name: 'Completions', type: 'string', format: '', description: 'The completion status of the job', priority: 0 },
      ],
      cells: (o) => {
        const done = (o.status?.conditions ?? []).find((c: { type: string; status: string }) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
        return [done?.type ?? 'Running', `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}`]
      },
    }
  }
  if (type.group === '' && type.kind === 'Pod') {
    return {
      columns: [
        { name: 'Ready', type: 'string', format: '', description: 'Ready containers', priority: 0 },
        { name: 'Status', type: 'string', format: '', description: 'Phase or waiting reason', priority: 0 },
        { name: 'Restarts', type: 'string', format: '', description: 'Container restarts', priority: 0 },
      ],
      cells: (o) => {
        const statuses: { ready?: boolean; restartCount?: number; state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }[] = o.status?.containerStatuses ?? []
        const waiting = statuses.find((s) => s.state?.waiting)?.state?.waiting?.reason
        const terminated = statuses.find((s) => s.state?.terminated && s.state.terminated.reason !== 'Completed')?.state?.terminated?.reason
        const status = o.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? (o.status?.phase === 'Failed' ? terminated : undefined) ?? (o.status?.phase === 'Succeeded' ? 'Completed' : o.status?.phase))
        return [`${statuses.filter((s) => s.ready).length}/${o.spec?.containers?.length ?? 0}`, status ?? 'Pending', statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0)]
      },
    }
  }
  return { columns: [], cells: () => [] }
}

/**
 * The Table `kubectl get` asks for: Name, the CRD's printer columns (or a few built-in ones for
 * Jobs and Pods), Age when the CRD gives no columns.
 */
export function toTable(type: ResourceType, objects: KubeObject[], resourceVersion: string): Record<string, unknown> {
  let columns: Record<string, unknown>[]
  let cells: (o: KubeObject) => unknown[]
  if (type.printerColumns && type.printerColumns.length > 0) {
    const printer = type.printerColumns
    columns = printer.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))
    cells = (o) =>
      printer.map((c) => {
        const raw = evaluateColumnPath(o, c.jsonPath)
        const value = c.type === 'date' ? humanAge(raw) : raw
        return value === undefined || value === null ? null : typeof value === 'object' ? JSON.stringify(value) : value
      })
  } else {
    const builtIn = builtInColumns(type)
    columns = [...builtIn.columns, AGE_COLUMN]
    cells = (o) => [...builtIn.cells(o), humanAge(o.metadata.creationTimestamp)]
  }
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [NAME_COLUMN, ...columns],
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...cells(o)],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  }
}
