import { isJsonObject as isObject, walkObjects, type JsonObject as Json } from './walk-objects.ts'

/**
 * The container specs that become the trial's primary container (trialTemplate.primaryContainerName),
 * where the trial's environment goes. Katib's kinds spell it differently:
 * - a `containers` list entry of that name, in any pod template (Job, and every replica of TFJob,
 *   PyTorchJob, MPIJob, XGBoostJob: all get it, the program decides which replica reports);
 * - Tekton: a step `x` runs as container `step-x`;
 * - Argo Workflow: the `container` (run as `main`) or `script` of the templates whose
 *   metadata.labels carry primaryPodLabels;
 * - TrainJob: its `spec.trainer` (run as container `node`).
 * Each returned object is part of `manifest`: changing it changes the manifest.
 */
export function primaryContainers(manifest: Json, name: string, podLabels: Readonly<Record<string, string>> = {}): Json[] {
  const found: Json[] = []
  walkObjects(manifest, (node) => {
    for (const key of ['containers', 'steps'] as const) {
      const list = node[key]
      if (!Array.isArray(list)) continue
      for (const item of list) {
        if (!isObject(item)) continue
        if (item.name === name || (key === 'steps' && `step-${String(item.name)}` === name)) found.push(item)
      }
    }
  })
  if (found.length > 0) return found
  const spec = isObject(manifest.spec) ? manifest.spec : {}
  if (manifest.kind === 'TrainJob' && name === 'node' && isObject(spec.trainer)) return [spec.trainer]
  if (manifest.kind === 'Workflow' && Array.isArray(spec.templates)) {
    const labelled = spec.templates.filter((t): t is Json => isObject(t) && hasLabels(t, podLabels) && Object.keys(podLabels).length > 0)
    return labelled.flatMap((t) => [t.container, t.script].filter(isObject))
  }
  return []
}

function hasLabels(template: Json, wanted: Readonly<Record<string, string>>): boolean {
  const labels = isObject(template.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : {}
  return Object.entries(wanted).every(([key, value]) => labels[key] === value)
}

/** Sets `vars` in a container's env, replacing entries of the same name (ours win: they are the trial's identity and its report credentials). */
export function setEnv(container: Json, vars: Readonly<Record<string, string>>): void {
  const existing = Array.isArray(container.env) ? (container.env as Json[]) : []
  const kept = existing.filter((item) => !(isObject(item) && typeof item.name === 'string' && Object.hasOwn(vars, item.name)))
  container.env = [...kept, ...Object.entries(vars).map(([name, value]) => ({ name, value }))]
}
