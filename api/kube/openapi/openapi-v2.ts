import type { JsonSchema } from './to-structural-schema.ts'

/**
 * `/openapi/v2` (Swagger 2.0) from the v3 document, for clients that still read v2 as JSON.
 * kubectl 1.32 reads v3; it asks v2 only in protobuf, which openapi-routes.ts refuses with 406 so
 * client-go moves on (it then computes a JSON merge patch, as for any custom resource).
 */
export function toOpenApiV2(v3: JsonSchema): JsonSchema {
  const components = v3.components as { schemas: Record<string, JsonSchema> }
  const paths = v3.paths as Record<string, Record<string, unknown>>
  return {
    swagger: '2.0',
    info: v3.info,
    paths: Object.fromEntries(Object.entries(paths).map(([path, item]) => [path, pathItem(item)])),
    definitions: Object.fromEntries(Object.entries(components.schemas).map(([name, schema]) => [name, schemaV2(schema)])),
    securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  }
}

/** Refs into `#/definitions`; `allOf: [$ref]` (v3's way to describe a ref) as the bare ref; no anyOf. */
function schemaV2(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(schemaV2)
  if (schema === null || typeof schema !== 'object') return schema
  const source = schema as JsonSchema
  const allOf = source.allOf as JsonSchema[] | undefined
  if (allOf?.length === 1 && typeof allOf[0]!.$ref === 'string') {
    const { allOf: _allOf, default: _default, ...rest } = source
    return { ...(schemaV2(rest) as JsonSchema), $ref: definitionRef(allOf[0]!.$ref) }
  }
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(source)) {
    if (key === 'anyOf') continue
    out[key] = key === '$ref' ? definitionRef(value as string) : schemaV2(value)
  }
  return out
}

const definitionRef = (ref: string) => ref.replace('#/components/schemas/', '#/definitions/')

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

function pathItem(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (item.parameters) out.parameters = (item.parameters as JsonSchema[]).map(parameter)
  for (const method of METHODS) if (item[method]) out[method] = operationV2(item[method] as JsonSchema)
  return out
}

function parameter(p: JsonSchema): JsonSchema {
  const { schema, ...rest } = p
  return { ...rest, ...(schema as JsonSchema) }
}

function operationV2(op: JsonSchema): JsonSchema {
  const { requestBody, parameters, responses, ...rest } = op
  const body = requestBody as { content: Record<string, { schema: JsonSchema }>; required?: boolean } | undefined
  const params = ((parameters ?? []) as JsonSchema[]).map(parameter)
  if (body) {
    const [first] = Object.values(body.content)
    params.unshift({ name: 'body', in: 'body', required: body.required ?? false, schema: schemaV2(first!.schema) })
  }
  const v2Responses = Object.fromEntries(Object.entries(responses as Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>).map(([code, r]) => {
    const [first] = Object.values(r.content ?? {})
    return [code, { description: r.description, ...(first ? { schema: schemaV2(first.schema) } : {}) }]
  }))
  return {
    ...rest,
    ...(body ? { consumes: Object.keys(body.content) } : {}),
    produces: ['application/json', 'application/yaml'],
    schemes: ['https'],
    ...(params.length > 0 ? { parameters: params } : {}),
    responses: v2Responses,
  }
}
