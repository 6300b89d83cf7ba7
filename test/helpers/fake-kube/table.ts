import { evaluateColumnPath, humanAge } from '../../../api/kube/table.ts'
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

/** A date column's cell: the age, as the product's Table prints it (api/kube/table.ts). */
function ageCell(timestamp: unknown): unknown {
  return typeof timestamp === 'string' ? humanAge(timestamp) : timestamp
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
        const value = c.type === 'date' ? ageCell(raw) : raw
        return value === undefined || value === null ? null : typeof value === 'object' ? JSON.stringify(value) : value
      })
  } else {
    const builtIn = builtInColumns(type)
    columns = [...builtIn.columns, AGE_COLUMN]
    cells = (o) => [...builtIn.cells(o), ageCell(o.metadata.creationTimestamp)]
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
