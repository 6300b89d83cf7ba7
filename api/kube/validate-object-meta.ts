import type { KubeStatusCause } from './kube-status.ts'

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const MAX_ANNOTATION_BYTES = 256 * 1024

const NAME_RULE = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const PREFIX_RULE = "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const VALUE_RULE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

/**
 * What a server checks of labels and annotations (apimachinery's ValidateLabels and
 * ValidateAnnotations), in its words: keys are qualified names (an optional DNS-subdomain
 * prefix and `/`, then a name of at most 63 characters), label values at most 63 characters
 * of the same alphabet, annotations at most 256 KiB in all. Kubernetes clients and selectors
 * rely on these shapes; maps that are not maps of strings are the schema check's to report.
 */
export function objectMetaCauses(metadata: { readonly labels?: unknown; readonly annotations?: unknown }): KubeStatusCause[] {
  const causes: KubeStatusCause[] = []
  const invalid = (field: string, value: string, detail: string) => causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${detail}` })
  for (const [field, map] of [['metadata.labels', metadata.labels], ['metadata.annotations', metadata.annotations]] as const) {
    if (map === null || typeof map !== 'object') continue
    for (const [key, value] of Object.entries(map)) {
      for (const problem of keyProblems(key)) invalid(field, key, problem)
      if (field === 'metadata.labels' && typeof value === 'string') {
        if (value.length > 63) invalid(field, value, 'must be no more than 63 characters')
        if (!VALUE.test(value)) invalid(field, value, VALUE_RULE)
      }
    }
    if (field === 'metadata.annotations') {
      const bytes = Object.entries(map).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0)
      if (bytes > MAX_ANNOTATION_BYTES) causes.push({ reason: 'FieldValueTooLong', field, message: `Too long: must have at most ${MAX_ANNOTATION_BYTES} bytes` })
    }
  }
  return causes
}

function keyProblems(key: string): string[] {
  const parts = key.split('/')
  if (parts.length > 2) return [NAME_RULE]
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]!]
  const problems: string[] = []
  if (prefix !== undefined) {
    if (prefix.length === 0) problems.push('prefix part must be non-empty')
    else {
      if (prefix.length > 253) problems.push('prefix part must be no more than 253 characters')
      if (!SUBDOMAIN.test(prefix)) problems.push(PREFIX_RULE)
    }
  }
  if (name!.length === 0) problems.push('name part must be non-empty')
  else {
    if (name!.length > 63) problems.push('name part must be no more than 63 characters')
    if (!NAME.test(name!)) problems.push(NAME_RULE)
  }
  return problems
}
