import { Ajv, type ErrorObject } from 'ajv'
import ajvFormats from 'ajv-formats'

/**
 * An ajv validator for a CRD's openAPIV3Schema that judges an object the way the API server does
 * under kubectl's default strict field validation: a field the schema does not name is an error
 * unless its object preserves unknown fields, and `x-kubernetes-int-or-string` admits exactly an
 * integer or a string. The other x-kubernetes-* extensions carry no validation and are dropped.
 */
export function structuralValidator(openApiSchema: Record<string, unknown>): (value: unknown) => ErrorObject[] {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })
  // ajv-formats is CommonJS; its module.exports carries the plugin as `default` too.
  ajvFormats.default(ajv)
  const validate = ajv.compile(asAjvSchema(openApiSchema) as object)
  return (value) => (validate(value) ? [] : [...(validate.errors ?? [])])
}

function asAjvSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asAjvSchema)
  if (typeof node !== 'object' || node === null) return node
  const schema = node as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-')) continue
    // `properties` maps names to schemas: convert the schemas, keep the names.
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, asAjvSchema(v)])) : asAjvSchema(value)
  }
  if (schema['x-kubernetes-int-or-string'] === true) out.type = ['integer', 'string']
  if (schema.type === 'object' && schema.properties !== undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false
  return out
}
