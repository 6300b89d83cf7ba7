/**
 * The trialSpec against Kubernetes' own schemas, at validate time instead of on every trial:
 * Katib's webhook round-trips a Job through Go's batchv1.Job and rejects it when a field is lost
 * or has the wrong type; the training operator's pods get the same check from the API server.
 * We check the Job (any kind kubernetes-models knows) whole, and the pod templates of
 * Kubeflow's training jobs and JobSets; other kinds are left to their controllers.
 */
import type { SpecIssue } from '../errors.ts'
import { splitPointer } from './json-pointer.ts'
import type { SchemaError } from './kubernetes-schemas.ts'
import { describeValue, showValue } from './show-value.ts'
import { findUnknownFields } from './unknown-fields.ts'
import type { WorkloadPart } from './workload-parts.ts'

/**
 * Problems of `parts` (from workloadParts) of the trialSpec at `at`. A value holding a
 * `${trialParameters.x}` placeholder is judged by what it will be, which only the trial knows,
 * so no schema error is reported for it (`backoffLimit: ${trialParameters.retries}`); where a
 * number or boolean belongs it gets a warning in `warnings` instead (placeholderWarning).
 */
export function workloadSchemaIssues(parts: readonly WorkloadPart[], at: string, warnings: SpecIssue[] = []): SpecIssue[] {
  const issues: SpecIssue[] = []
  const seen = new Set<string>()
  const add = (issue: SpecIssue) => {
    const key = `${issue.path}\n${issue.message}`
    if (!seen.has(key)) issues.push(issue)
    seen.add(key)
  }
  for (const part of parts) {
    const base = at + part.pointer
    for (const error of part.check(part.value)) {
      const value = valueAt(part.value, error.instancePath)
      if (typeof value === 'string' && value.includes('${')) {
        if (error.keyword === 'type' && error.params?.type !== 'string') warnings.push({ path: base + error.instancePath, message: placeholderWarning(error, value, part) })
        continue
      }
      // Go's decoder reads null as the zero value, and so does Kubernetes.
      if (value === null && error.keyword !== 'required') continue
      add({ path: base + error.instancePath, message: schemaMessage(error, value, part) })
    }
    for (const unknown of findUnknownFields(part.value, part.model, base)) {
      const hint = unknown.guess !== undefined ? `did you mean "${unknown.guess}"?` : `check its spelling and indentation, or remove it`
      const consequence = part.label === 'Job' ? "Katib's webhook rejects such a Job" : 'the API server drops or refuses it'
      add({ path: unknown.path, message: `"${unknown.field}" is not a field of a Kubernetes ${unknown.typeName}; ${hint} (${consequence})` })
    }
  }
  return issues
}

function schemaMessage(error: SchemaError, value: unknown, part: WorkloadPart): string {
  const field = fieldName(part.pointer + error.instancePath)
  const schema = `Kubernetes' ${part.label} schema`
  switch (error.keyword) {
    case 'required': {
      const missing = error.params?.missingProperty ?? 'a field'
      const where = field === '' ? 'the manifest' : field
      return `${missing} is missing in ${where}; ${schema} requires it${missing === 'name' && /containers\[\d+\]$/.test(field) ? ' (every container needs a name; primaryContainerName picks the training container by it)' : ''}`
    }
    case 'type': {
      const wanted = error.params?.type ?? 'another type'
      const hint = wanted === 'string' && (typeof value === 'number' || typeof value === 'boolean') ? `; quote it: "${String(value)}"` : ''
      return `${field} must be ${article(wanted)}, not ${describeValue(value)} (${schema})${hint}`
    }
    case 'enum': {
      const allowed = (error.params?.allowedValues ?? []).map((v) => showValue(v)).join(', ')
      return `${field} ${showValue(value)} is not one of the values ${schema} allows; use one of ${allowed}`
    }
    default:
      return `${field} ${showValue(value)} is invalid (${schema}): it ${error.message ?? `fails "${error.keyword}"`}`
  }
}

/**
 * Katib substitutes inside the manifest's JSON text, where the placeholder sits in a string, so
 * the value reaches Kubernetes as "3", not 3, and the API server refuses it; we render the same.
 * In a ConfigMap template (YAML text) an unquoted placeholder does become a number.
 */
function placeholderWarning(error: SchemaError, value: string, part: WorkloadPart): string {
  const field = fieldName(part.pointer + error.instancePath)
  return `${field} is ${showValue(value)}, which renders as a string; Kubernetes' ${part.label} schema wants ${article(error.params?.type ?? 'number')} there, so on a cluster the API server would refuse every trial's ${part.label === 'Job' ? 'Job' : 'workload'} (as with Katib, which substitutes into the manifest's text inside quotes); give a literal value, or keep it only for local runs`
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

/** `/spec/template/spec/containers/0/args` -> `spec.template.spec.containers[0].args`, as Kubernetes names fields. */
function fieldName(pointer: string): string {
  let name = ''
  for (const key of splitPointer(pointer)) name += /^\d+$/.test(key) ? `[${key}]` : name === '' ? key : `.${key}`
  return name
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root
  for (const key of splitPointer(pointer)) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}
