import * as models from 'kubernetes-models'

type ModelClass = new (data: unknown) => { validate(): void }

/**
 * The kubernetes-models class for an object's apiVersion and kind (Kubernetes' own OpenAPI
 * schemas), or undefined when the package has none: `apps/v1` is `models.apps.v1`,
 * `rbac.authorization.k8s.io/v1` is `models.rbacAuthorizationK8sIo.v1`, the core group `models.v1`.
 */
export function kubernetesModel(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : [undefined, apiVersion]
  const root = models as unknown as Record<string, Record<string, unknown>>
  const versions = group === undefined ? root : root[group.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase())]
  const classes = versions?.[version] as Record<string, unknown> | undefined
  const model = classes?.[kind]
  return typeof model === 'function' ? model as ModelClass : undefined
}

/** Throws the model's own validation error (naming the field) when the object is invalid. */
export function validateKubernetesObject(object: Record<string, unknown>): void {
  const Model = kubernetesModel(String(object.apiVersion), String(object.kind))
  if (Model === undefined) throw new Error(`kubernetes-models has no schema for ${String(object.apiVersion)} ${String(object.kind)}`)
  new Model(object).validate()
}
