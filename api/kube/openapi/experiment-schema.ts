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
      spec: toStructuralSchema(properties.spec!, '/spec'),
      status: toStructuralSchema(KatibExperimentStatusSchema as unknown as JsonSchema, '/status'),
    },
  }, EXPERIMENT_DESCRIPTIONS)
}
