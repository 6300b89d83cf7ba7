import { isJsonObject as isObject, walkObjects, type JsonObject as Json } from './walk-objects.ts'

/**
 * The pod templates of a workload manifest: every object whose `spec.containers` is a list (a
 * PodTemplateSpec), wherever it sits: a Job's `spec.template`, each replica's `template` of a
 * TFJob, PyTorchJob, MPIJob or XGBoostJob, a JobSet's nested Job templates. Kinds that build
 * their pods from something else (Argo's `podMetadata`, a TrainJob's trainer, Tekton's steps)
 * have none here; their labels reach the pods as those controllers copy them.
 */
export function podTemplates(manifest: unknown): Json[] {
  const found: Json[] = []
  const visit = (node: Json): void => {
    if (isObject(node.spec) && Array.isArray(node.spec.containers) && node.apiVersion === undefined) found.push(node)
  }
  // The workload itself is no pod template even when it is a Pod.
  if (isObject(manifest)) for (const value of Object.values(manifest)) walkObjects(value, visit)
  return found
}

/** Adds `labels` to the template's metadata.labels (the template's own keep their values only where ours do not name them). */
export function labelTemplate(template: Json, labels: Readonly<Record<string, string>>): void {
  const metadata = isObject(template.metadata) ? template.metadata : {}
  const existing = isObject(metadata.labels) ? metadata.labels : {}
  template.metadata = { ...metadata, labels: { ...existing, ...labels } }
}
