import { matchesFields, parseFieldSelector as parseSelector } from '../../../api/kube/selectors.ts'
import type { KubeObject } from './kube-object.ts'
import type { ResourceType } from './resource-types.ts'
import { asFakeError } from './label-selector.ts'

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

/** Parses `fieldSelector` with the product's parser (api/kube/selectors.ts), for this resource's fields. */
export function parseFieldSelector(text: string | null | undefined, type: ResourceType): FieldSelector {
  const probe: KubeObject = { metadata: { name: '', namespace: '' }, status: {}, spec: {}, involvedObject: {}, source: {} }
  const selector = asFakeError(() => parseSelector(text, (field) => fieldValue(type, probe, field) !== undefined))
  return (object) => matchesFields(selector, (field) => fieldValue(type, object, field))
}
