import { ExperimentSchema } from '../../core/spec/experiment-schema.ts'
import { joinPointer } from '../../core/spec/index.ts'
import { badRequest, fieldPath } from './kube-status.ts'

/**
 * Kubernetes' `fieldValidation` directive for writes (create, update, patch): what to do with
 * fields the resource's schema does not know. `Strict` refuses the request (400 BadRequest,
 * kubectl 1.32 sends it by default), `Warn` drops them and says so in `Warning` headers (a
 * server's default when the client sends none), `Ignore` drops them silently. A server prunes
 * unknown fields of a custom resource by its structural schema; ours is the Experiment schema
 * (the one the CRD and /openapi are built from), so the answer agrees with `kubectl explain`.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

export function parseFieldValidation(value: unknown): FieldValidation {
  if (value === undefined || value === '') return 'Warn'
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value
  throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(String(value))}: supported values: "Ignore", "Warn", "Strict"`)
}

/** The document without its unknown fields, and the warnings to send (Warn only); Strict throws. */
export function applyFieldValidation(document: unknown, directive: FieldValidation): { document: unknown; warnings: string[] } {
  const unknown = unknownFields(document)
  if (unknown.length === 0) return { document, warnings: [] }
  const described = unknown.map((pointer) => `unknown field "${fieldPath(pointer)}"`)
  if (directive === 'Strict') {
    throw badRequest(`Experiment in version "v1beta1" cannot be handled as a Experiment: strict decoding error: ${described.join(', ')}`)
  }
  return { document: withoutFields(document, unknown), warnings: directive === 'Warn' ? described : [] }
}

type Schema = {
  readonly type?: string
  readonly properties?: Readonly<Record<string, Schema>>
  readonly patternProperties?: Readonly<Record<string, Schema>>
  readonly additionalProperties?: boolean | Schema
  readonly items?: Schema
  readonly anyOf?: readonly Schema[]
}

/** ObjectMeta's fields (open in our schema, closed in Kubernetes'): anything else in metadata is unknown. */
const OBJECT_META: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries([
    'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
    'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers', 'managedFields',
  ].map((key) => [key, {}]).concat([['labels', { type: 'object', patternProperties: { '.*': {} } }], ['annotations', { type: 'object', patternProperties: { '.*': {} } }]])),
}

const EXPERIMENT: Schema = {
  ...(ExperimentSchema as Schema),
  properties: { ...(ExperimentSchema as Schema).properties, metadata: OBJECT_META },
}

/** JSON pointers of the fields the Experiment schema does not know, in document order. */
export function unknownFields(document: unknown, schema: Schema = EXPERIMENT, at = ''): string[] {
  const branch = schema.anyOf ? schema.anyOf.find((s) => matchesType(s, document)) : schema
  if (!branch || document === null || typeof document !== 'object') return []
  if (Array.isArray(document)) {
    return branch.items ? document.flatMap((item, i) => unknownFields(item, branch.items!, joinPointer(at, String(i)))) : []
  }
  const found: string[] = []
  for (const [key, value] of Object.entries(document)) {
    const path = joinPointer(at, key)
    const known = branch.properties?.[key] ?? Object.values(branch.patternProperties ?? {})[0]
    if (known) found.push(...unknownFields(value, known, path))
    else if (branch.additionalProperties === false) found.push(path)
    else if (typeof branch.additionalProperties === 'object') found.push(...unknownFields(value, branch.additionalProperties, path))
  }
  return found
}

function matchesType(schema: Schema, value: unknown): boolean {
  if (schema.type === undefined) return true
  if (schema.type === 'object') return value !== null && typeof value === 'object' && !Array.isArray(value)
  if (schema.type === 'array') return Array.isArray(value)
  return typeof value !== 'object'
}

function withoutFields(document: unknown, pointers: readonly string[]): unknown {
  const copy = structuredClone(document)
  for (const pointer of pointers) {
    const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    let node: unknown = copy
    for (const part of parts.slice(0, -1)) node = (node as Record<string, unknown>)[part]
    delete (node as Record<string, unknown>)[parts[parts.length - 1]!]
  }
  return copy
}
