import type { FastifySchemaValidationError } from 'fastify'
import { joinPointer } from '../../core/spec/index.ts'
import type { SpecIssue } from '../../core/errors.ts'

/**
 * Request-schema failures as issues whose path names the field from the top of the request,
 * e.g. `/body/spec/maxTrialCount` or `/querystring/limit`. A failed union reports once as a
 * whole; its per-branch errors would only repeat it.
 */
export function validationIssues(errors: readonly FastifySchemaValidationError[], context: string): SpecIssue[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`)
  const root = `/${context}`
  return errors
    .filter((e) => !unions.some((prefix) => e.schemaPath.startsWith(prefix)))
    .flatMap((e): SpecIssue[] => {
      const at = root + e.instancePath
      const params = e.params ?? {}
      // TypeBox lists every missing property; Ajv names one.
      const missing = params.requiredProperties ?? params.missingProperty
      if (e.keyword === 'required' && missing !== undefined) {
        return ([] as unknown[]).concat(missing).map((name) => ({ path: joinPointer(at, String(name)), message: 'is required' }))
      }
      const extra = params.additionalProperties ?? params.additionalProperty
      if (e.keyword === 'additionalProperties' && extra !== undefined) {
        return ([] as unknown[]).concat(extra).map((name) => ({ path: joinPointer(at, String(name)), message: 'is not a known field' }))
      }
      return [{ path: at, message: e.message ?? 'is invalid' }]
    })
}
