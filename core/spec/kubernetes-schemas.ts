/**
 * Kubernetes' own schemas for the objects inside a trialSpec, loaded only when a trialSpec is
 * checked: most experiments (the `command` form) never pay for them. The loading is a
 * synchronous require, not `import()`, because validation is synchronous wherever an experiment
 * arrives (the CLI, the API, operator mode); Node 20.19+ requires ES modules without a warning.
 *
 * Two sources, both generated from Kubernetes' OpenAPI document:
 * - kubernetes-models: a compiled JSON Schema validator per kind (types, required fields,
 *   enums). It allows any additional property, so an unknown field passes it.
 * - @kubernetes/client-node's models: each class lists its fields (`attributeTypeMap`), which
 *   is what finds `comand`, as Katib's round-trip of a Job through Go's struct would.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** What a kubernetes-models validator reports per problem (Ajv's error objects). */
export interface SchemaError {
  readonly instancePath: string
  readonly keyword: string
  readonly message?: string
  readonly params?: { readonly missingProperty?: string; readonly allowedValues?: readonly unknown[]; readonly type?: string }
}

/** Checks an object against one kind's schema; returns its problems, empty when it is valid. */
export type SchemaCheck = (object: unknown) => SchemaError[]

interface ModelClass {
  readonly apiVersion?: string
  readonly kind?: string
  new (data: unknown): { validate(): void }
}

const GROUP = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/
const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/
const KIND = /^[A-Z][A-Za-z0-9]*$/

const checks = new Map<string, SchemaCheck | undefined>()

/**
 * The schema check of a Kubernetes kind (`batch/v1` + `Job`, `v1` + `PodTemplateSpec`), or
 * undefined when kubernetes-models has none (a custom resource such as TFJob). `resource`
 * false admits types that are no top-level object (PodTemplateSpec, JobTemplateSpec).
 */
export function kubernetesSchema(apiVersion: string, kind: string, resource = true): SchemaCheck | undefined {
  const key = `${apiVersion}/${kind}/${resource}`
  if (!checks.has(key)) {
    // The names come from submitted documents: misses must not pile up without bound.
    if (checks.size >= 1000) checks.clear()
    checks.set(key, loadSchema(apiVersion, kind, resource))
  }
  return checks.get(key)
}

function loadSchema(apiVersion: string, kind: string, resource: boolean): SchemaCheck | undefined {
  const parts = apiVersion.split('/')
  const [group, version] = parts.length === 2 ? parts : ['', parts[0]]
  // Only names of the package's own layout reach require, so no text of the file picks a path.
  if (parts.length > 2 || (group !== '' && !GROUP.test(group)) || !VERSION.test(version) || !KIND.test(kind)) return undefined
  let Model: ModelClass | undefined
  try {
    Model = (require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`) as Record<string, ModelClass>)[kind]
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' || (error as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined
    throw error
  }
  if (typeof Model !== 'function') return undefined
  if (resource && (Model.apiVersion !== apiVersion || Model.kind !== kind)) return undefined
  const Checked = Model
  return (object) => {
    try {
      new Checked(object).validate()
      return []
    } catch (error) {
      const errors = (error as { errors?: SchemaError[] }).errors
      if (!Array.isArray(errors)) throw error
      return errors
    }
  }
}

/** One field of a Kubernetes type: its JSON name and its client-node type expression. */
export interface KubernetesField {
  readonly name: string
  readonly type: string
}

const MODEL_NAME = /^[A-Z][A-Za-z0-9]*$/
const fieldLists = new Map<string, ReadonlyMap<string, KubernetesField> | undefined>()

/**
 * The fields of a client-node model type (`V1Container`), by JSON name, or undefined for a
 * name that is no model (`string`, `IntOrString`, an unknown type).
 */
export function kubernetesFields(modelName: string): ReadonlyMap<string, KubernetesField> | undefined {
  if (!fieldLists.has(modelName)) fieldLists.set(modelName, loadFields(modelName))
  return fieldLists.get(modelName)
}

function loadFields(modelName: string): ReadonlyMap<string, KubernetesField> | undefined {
  if (!MODEL_NAME.test(modelName)) return undefined
  let exported: Record<string, { attributeTypeMap?: { baseName: string; type: string }[] }>
  try {
    exported = require(`@kubernetes/client-node/dist/gen/models/${modelName}.js`) as typeof exported
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' || (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined
    throw error
  }
  const map = exported[modelName]?.attributeTypeMap
  if (!Array.isArray(map)) return undefined
  return new Map(map.map((field) => [field.baseName, { name: field.baseName, type: field.type }]))
}

/** client-node's name of a top-level kind: `batch/v1` Job is V1Job, `apps/v1beta1` X is V1beta1X. */
export function modelNameOf(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop() ?? ''
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`
}
