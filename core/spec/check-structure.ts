/**
 * Shape checks (types, enums, required and unknown fields) against ExperimentSchema, turning
 * Ajv's terse errors into messages that say what was found and what would be right.
 */
import { Ajv, type ErrorObject } from 'ajv'
import type { SpecIssue } from '../errors.ts'
import { closestMatch } from './closest-match.ts'
import { ExperimentSchema, type Experiment } from './experiment-schema.ts'
import { joinPointer } from './json-pointer.ts'
import { WHOLE, type Shape } from './shape.ts'
import { describeValue, showValue } from './show-value.ts'

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false })
const validate = ajv.compile<Experiment>(ExperimentSchema)

type Schema = Record<string, unknown>

export function checkStructure(raw: unknown): { experiment?: Experiment; issues: SpecIssue[]; shape: Shape } {
  if (validate(raw)) return { experiment: raw, issues: [], shape: WHOLE }
  const errors = withoutUnionBranches(validate.errors ?? [])
  return { issues: errors.map(toIssue), shape: shapeOf(errors) }
}

function shapeOf(errors: readonly ErrorObject[]): Shape {
  // An unknown field breaks nothing that is read; a missing required one breaks its own path.
  const broken = errors
    .filter((e) => e.keyword !== 'additionalProperties')
    .map((e) => (e.keyword === 'required' ? joinPointer(e.instancePath, String((e.params as { missingProperty: unknown }).missingProperty)) : e.instancePath))
  const within = (path: string, ancestor: string) => path === ancestor || path.startsWith(`${ancestor}/`)
  return {
    wellFormed: (path) => !broken.some((b) => within(b, path) || within(path, b)),
    intact: (path) => !broken.some((b) => within(path, b)),
  }
}

/** A failed anyOf already reports as a whole; its per-branch errors would only repeat it. */
function withoutUnionBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath + '/')
  return errors.filter((e) => !unions.some((prefix) => e.schemaPath.startsWith(prefix)))
}

function toIssue(error: ErrorObject): SpecIssue {
  const parent = (error.parentSchema ?? {}) as Schema
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const valid = Object.keys((parent.properties ?? {}) as Schema)
      const guess = closestMatch(key, valid)
      const hint = guess ? `did you mean "${guess}"?` : `valid fields here are: ${valid.join(', ')}`
      return { path: joinPointer(error.instancePath, key), message: `unknown field "${key}"; ${hint}` }
    }
    case 'required': {
      const key = String(params.missingProperty)
      const expected = ((parent.properties ?? {}) as Record<string, Schema>)[key]
      const what = expected ? `; it must be ${describeSchema(expected)}` : ''
      return { path: joinPointer(error.instancePath, key), message: `required field "${key}" is missing${what}` }
    }
    case 'enum': {
      const allowed = (params.allowedValues ?? []) as unknown[]
      const guess = typeof error.data === 'string' ? closestMatch(error.data, allowed.map(String)) : undefined
      const hint = guess ? `; did you mean "${guess}"?` : ''
      return { path: error.instancePath, message: `${showValue(error.data)} is not allowed; it must be ${describeSchema(parent)}${hint}` }
    }
    case 'type':
    case 'const':
    case 'anyOf': {
      const quote = parent.type === 'string' && (typeof error.data === 'number' || typeof error.data === 'boolean')
      const hint = quote ? `; write it in quotes: "${String(error.data)}"` : ''
      return { path: error.instancePath, message: `expected ${describeSchema(parent)}, got ${describeValue(error.data)}${hint}` }
    }
    default:
      return { path: error.instancePath, message: `${showValue(error.data)} ${error.message ?? 'is invalid'}` }
  }
}

function describeSchema(schema: Schema): string {
  if (Array.isArray(schema.enum)) return 'one of ' + schema.enum.map((v) => showValue(v)).join(', ')
  if ('const' in schema) return showValue(schema.const)
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).map(describeSchema).join(' or ')
  switch (schema.type) {
    case 'string':
      return 'a string'
    case 'integer':
      return 'a whole number'
    case 'number':
      return 'a number'
    case 'boolean':
      return 'true or false'
    case 'array':
      return schema.items ? `a list of ${plural(describeSchema(schema.items as Schema))}` : 'a list'
    case 'object':
      return 'a mapping'
    default:
      return 'a value'
  }
}

function plural(description: string): string {
  return description.replace(/^an? (\w+)/, '$1s').replace(/^one of/, 'values from')
}
