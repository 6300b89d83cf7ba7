/**
 * Turns a TypeBox (JSON Schema) schema into a Kubernetes structural schema, the form an
 * apiextensions.k8s.io/v1 CustomResourceDefinition's openAPIV3Schema must have: every node typed,
 * no $ref, no anyOf/oneOf/allOf/not except Kubernetes' own int-or-string, `additionalProperties`
 * never beside `properties`.
 *
 * The mapping keeps the TypeBox schema the one source of truth and says where Kubernetes differs:
 * - a closed object (`additionalProperties: false`) becomes a plain object with properties: the
 *   API server prunes unknown fields and, under kubectl's default strict field validation,
 *   reports them, which is what "closed" means there;
 * - an open object (no `additionalProperties: false`) keeps its typed fields and gets
 *   `x-kubernetes-preserve-unknown-fields`, so its other fields survive (httpGet);
 * - a record of strings becomes `additionalProperties: {type: string}` (labels); a record of
 *   anything an object that preserves unknown fields (trialSpec, customCollector);
 * - an integer-or-string union becomes `x-kubernetes-int-or-string`;
 * - enums and consts get the type of their values.
 * Anything else is refused with its path, so a new construct in the schema is mapped on purpose
 * rather than silently loosened or dropped.
 */
export type JsonSchema = Record<string, unknown>

/** Keywords copied as they are: OpenAPI v3 validation that Kubernetes supports. */
const PASSED = ['description', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties'] as const

/** Keywords handled below, or carrying nothing the API server checks. */
const HANDLED = new Set<string>(['type', 'properties', 'required', 'additionalProperties', 'patternProperties', 'items', 'enum', 'const', 'anyOf', ...PASSED])

const ANY_KEY = '^.*$'

export function toStructuralSchema(schema: JsonSchema, path = ''): JsonSchema {
  for (const key of Object.keys(schema)) {
    if (!HANDLED.has(key)) throw new Error(`${path || '/'}: ${key} has no structural-schema mapping; extend api/kube/openapi/to-structural-schema.ts`)
  }
  const out: JsonSchema = {}
  for (const key of PASSED) if (schema[key] !== undefined) out[key] = schema[key]

  if (schema.anyOf !== undefined) return { ...intOrString(schema, path), ...out }
  if (schema.const !== undefined) return { type: typeOfValues([schema.const], path), enum: [schema.const], ...out }
  if (schema.enum !== undefined) return { type: typeOfValues(schema.enum as unknown[], path), enum: [...(schema.enum as unknown[])], ...out }

  switch (schema.type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: schema.type, ...out }
    case 'array':
      if (schema.items === undefined) throw new Error(`${path}: an array needs items`)
      return { type: 'array', ...out, items: toStructuralSchema(schema.items as JsonSchema, `${path}/items`) }
    case 'object':
      return { type: 'object', ...out, ...objectBody(schema, path) }
    default:
      throw new Error(`${path || '/'}: no type (${JSON.stringify(schema)}); a structural schema types every field`)
  }
}

function objectBody(schema: JsonSchema, path: string): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined
  const pattern = schema.patternProperties as Record<string, JsonSchema> | undefined
  if (pattern !== undefined) {
    const keys = Object.keys(pattern)
    if (properties !== undefined || keys.length !== 1 || keys[0] !== ANY_KEY) {
      throw new Error(`${path}: only a record keyed by any string maps to Kubernetes (got ${keys.join(', ')})`)
    }
    const value = pattern[ANY_KEY]!
    // A record of anything: Kubernetes validates the embedded object, not us (trialSpec).
    if (Object.keys(value).length === 0) return { 'x-kubernetes-preserve-unknown-fields': true }
    return { additionalProperties: toStructuralSchema(value, `${path}/*`) }
  }
  const body: JsonSchema = {}
  if (Array.isArray(schema.required) && schema.required.length > 0) body.required = [...schema.required]
  if (properties !== undefined) {
    body.properties = Object.fromEntries(Object.entries(properties).map(([name, child]) => [name, toStructuralSchema(child, `${path}/${name}`)]))
  }
  if (schema.additionalProperties !== false) body['x-kubernetes-preserve-unknown-fields'] = true
  return body
}

function intOrString(schema: JsonSchema, path: string): JsonSchema {
  const types = (schema.anyOf as JsonSchema[]).map((s) => (Object.keys(s).length === 1 ? s.type : undefined)).sort()
  if (types.length === 2 && types[0] === 'integer' && types[1] === 'string') return { 'x-kubernetes-int-or-string': true }
  throw new Error(`${path}: a union other than integer-or-string has no structural form`)
}

function typeOfValues(values: readonly unknown[], path: string): string {
  const types = new Set(values.map((v) => (Number.isInteger(v) ? 'integer' : typeof v)))
  const [only] = types
  if (types.size !== 1 || !['string', 'integer', 'number', 'boolean'].includes(only!)) throw new Error(`${path}: an enum of mixed or non-scalar values`)
  return only!
}
