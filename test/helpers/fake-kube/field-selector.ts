import type { KubeObject } from './kube-object.ts'
import type { ResourceType } from './resource-types.ts'
import { badRequest } from './status.ts'

export type FieldSelector = (object: KubeObject) => boolean

/** The fields each resource can be selected by, as the real server allows them. */
function fieldValue(type: ResourceType, object: KubeObject, field: string): string | undefined {
  if (field === 'metadata.name') return object.metadata.name ?? ''
  if (field === 'metadata.namespace' && type.namespaced) return object.metadata.namespace ?? ''
  if (type.group === '' && type.kind === 'Pod') {
    if (field === 'status.phase') return object.status?.phase ?? ''
    if (field === 'spec.nodeName') return object.spec?.nodeName ?? ''
    if (field === 'spec.restartPolicy') return object.spec?.restartPolicy ?? ''
  }
  if (type.group === '' && type.kind === 'Event') {
    const involved = field.match(/^involvedObject\.(kind|namespace|name|uid|apiVersion|resourceVersion|fieldPath)$/)
    if (involved) return object.involvedObject?.[involved[1]!] ?? ''
    if (field === 'reason' || field === 'type' || field === 'reportingComponent') return object[field] ?? ''
    if (field === 'source') return object.source?.component ?? ''
  }
  if (type.group === 'batch' && type.kind === 'Job' && field === 'status.successful') return String(object.status?.succeeded ?? 0)
  return undefined
}

/** Parses `fieldSelector`: `f=v`, `f==v`, `f!=v`, comma-separated. */
export function parseFieldSelector(text: string | null | undefined, type: ResourceType): FieldSelector {
  if (!text || text.trim() === '') return () => true
  const terms = text.split(',').map((part) => {
    const match = part.trim().match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/)
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`)
    const [, field, op, value] = match
    return { field: field!, negate: op === '!=', value: value! }
  })
  const probe: KubeObject = { metadata: { name: '', namespace: '' }, status: {}, spec: {}, involvedObject: {}, source: {} }
  for (const term of terms) {
    if (fieldValue(type, probe, term.field) === undefined) {
      throw badRequest(`field label not supported: ${term.field}`)
    }
  }
  return (object) => terms.every((term) => (fieldValue(type, object, term.field) === term.value) !== term.negate)
}
