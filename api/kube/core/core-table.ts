import { humanAge, type ColumnDefinition, type IncludeObject, type Table, type TableListMeta } from '../table.ts'
import type { KubeEvent } from './event-object.ts'
import type { KubeNamespace } from './namespace-object.ts'

/**
 * Tables for the core/v1 resources served here, with the columns and cells of the API server's
 * own printers (pkg/printers/internalversion): `kubectl get namespaces` and `kubectl get events`
 * look as they do against a cluster. The server prints every column, wide ones included
 * (priority 1); kubectl shows those with `-o wide` only.
 */

const column = (name: string, description: string, priority = 0, format = ''): ColumnDefinition => ({ name, type: 'string', format, description, priority })

const NAMESPACE_COLUMNS: readonly ColumnDefinition[] = [
  column('Name', 'Name must be unique within a namespace.', 0, 'name'),
  column('Status', 'The status of the namespace'),
  column('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
]

const EVENT_COLUMNS: readonly ColumnDefinition[] = [
  column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
  column('Object', 'The object that this event is about.'),
  column('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1),
  column('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
  column('Message', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'The time at which the event was first recorded.', 1),
  column('Count', 'The number of times this event has occurred.', 1),
  column('Name', 'Name must be unique within a namespace.', 1, 'name'),
]

export function namespaceTable(namespaces: readonly KubeNamespace[], listMeta: TableListMeta, includeObject: IncludeObject, now = Date.now()): Table {
  return table(NAMESPACE_COLUMNS, namespaces, listMeta, includeObject, (ns) => [ns.metadata.name, ns.status.phase, humanAge(ns.metadata.creationTimestamp, now)])
}

export function eventTable(events: readonly KubeEvent[], listMeta: TableListMeta, includeObject: IncludeObject, now = Date.now()): Table {
  return table(EVENT_COLUMNS, events, listMeta, includeObject, (e) => {
    const first = humanAge(e.firstTimestamp, now)
    const source = e.reportingInstance ? `${e.source.component || e.reportingComponent}, ${e.reportingInstance}` : e.source.component || e.reportingComponent
    return [humanAge(e.lastTimestamp, now), e.type, e.reason, `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`, '', source, e.message.trim(), first, e.count, e.metadata.name]
  })
}

function table<T extends { readonly metadata: object }>(columns: readonly ColumnDefinition[], objects: readonly T[], listMeta: TableListMeta, includeObject: IncludeObject, cells: (o: T) => unknown[]): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns,
    rows: objects.map((object) => ({
      cells: cells(object),
      ...(includeObject === 'None' ? {} : {
        object: includeObject === 'Object' ? object : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
      }),
    })),
  }
}
