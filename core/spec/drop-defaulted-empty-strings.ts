import { field, isRecord, list } from './raw-json.ts'

/**
 * The enum fields read this way, as dotted paths through objects and arrays (`spec.parameters`
 * is a list): the Experiment CRD and serve's OpenAPI list "" among their values, so the API
 * server admits what Katib's CRD admits and the admission then defaults it.
 */
export const EMPTY_MEANS_DEFAULT = [
  'spec.resumePolicy',
  'spec.parameters.feasibleSpace.distribution',
  'spec.nasConfig.operations.parameters.feasibleSpace.distribution',
  'spec.metricsCollectorSpec.source.fileSystemPath.kind',
  'spec.metricsCollectorSpec.source.fileSystemPath.format',
] as const

/**
 * Go's zero value for a string is "", so Katib cannot tell `resumePolicy: ""` from no
 * resumePolicy: its defaults (experiment_defaults.go) and webhook treat both alike. Templated
 * YAML (Helm, Kustomize, a pipeline filling `{{ .Values.format }}`) writes such empty strings
 * all the time. Here they are removed before the schema, which knows only the enum values, so
 * that the defaults apply as they do in Katib. Only fields where Katib reads "" as absent are
 * touched; an empty `objective.type`, `parameterType` or `collector.kind` stays an error, as in
 * Katib. Mutates `raw`, which must be the caller's private copy.
 */
export function dropDefaultedEmptyStrings(raw: unknown): void {
  // Kubernetes reads an empty namespace as none (the request's, or the default).
  dropEmpty(field(raw, 'metadata'), 'namespace')
  const spec = field(raw, 'spec')
  // Katib defaults "" to Never, and its webhook lists "" among the valid policies.
  dropEmpty(spec, 'resumePolicy')
  for (const parameter of list(field(spec, 'parameters'))) dropEmptyInSpace(parameter)
  for (const operation of list(field(field(spec, 'nasConfig'), 'operations'))) {
    for (const parameter of list(field(operation, 'parameters'))) dropEmptyInSpace(parameter)
  }
  // File and TensorFlowEvent default an empty kind, File an empty format to TEXT, and
  // TensorFlowEvent requires the format empty; for Custom an empty kind stays invalid (missing).
  const fileSystemPath = field(field(field(spec, 'metricsCollectorSpec'), 'source'), 'fileSystemPath')
  dropEmpty(fileSystemPath, 'kind')
  dropEmpty(fileSystemPath, 'format')
}

function dropEmptyInSpace(parameter: unknown): void {
  const space = field(parameter, 'feasibleSpace')
  // Katib defaults "" to uniform; an empty step is no step to its webhook and services.
  dropEmpty(space, 'distribution')
  dropEmpty(space, 'step')
}

function dropEmpty(object: unknown, key: string): void {
  if (isRecord(object) && object[key] === '') delete object[key]
}
