import { EMPTY_MEANS_DEFAULT } from '../../../core/spec/drop-defaulted-empty-strings.ts'
import { ExperimentSchema } from '../../../core/spec/experiment-schema.ts'
import { KatibExperimentStatusSchema } from '../../../core/spec/katib-experiment-status-schema.ts'
import { EXPERIMENT_DESCRIPTIONS, withDescriptions } from './experiment-descriptions.ts'
import { toStructuralSchema, type JsonSchema } from './to-structural-schema.ts'

/**
 * The openAPIV3Schema of the Experiment resource, from our own schemas: the spec from
 * core/spec/experiment-schema.ts, the status from core/spec/katib-experiment-status-schema.ts.
 * The CRD of cluster mode (scripts/crd/experiment-crd.ts) and the OpenAPI documents of
 * `tunewell serve` (openapi-v3.ts) both carry it, so `kubectl explain` and field validation say
 * the same on a cluster and against serve.
 */
export function experimentOpenApiSchema(): JsonSchema {
  const experiment = ExperimentSchema as unknown as JsonSchema
  const properties = experiment.properties as Record<string, JsonSchema>
  return withDescriptions({
    type: 'object',
    description: 'A Katib Experiment: a search space, an objective, an algorithm and a trial template, tuned by Tunewell.',
    // The API server fills these in; at the root Kubernetes allows no more than their type.
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      // Root metadata may only be typed (name rules are Kubernetes' own).
      metadata: { type: 'object' },
      spec: withEmptyAllowed(toStructuralSchema(properties.spec!, '/spec'), 'spec'),
      status: toStructuralSchema(KatibExperimentStatusSchema as unknown as JsonSchema, '/status'),
    },
  }, EXPERIMENT_DESCRIPTIONS)
}

/** Adds "" to the enums of EMPTY_MEANS_DEFAULT (Katib's Go types cannot tell it from absent). */
function withEmptyAllowed(schema: JsonSchema, path: string): JsonSchema {
  const out: JsonSchema = { ...schema }
  if (Array.isArray(out.enum) && (EMPTY_MEANS_DEFAULT as readonly string[]).includes(path)) out.enum = [...(out.enum as unknown[]), '']
  if (out.properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, JsonSchema>).map(([name, child]) => [name, withEmptyAllowed(child, `${path}.${name}`)]))
  }
  if (out.items !== undefined) out.items = withEmptyAllowed(out.items as JsonSchema, path)
  return out
}
