import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { CronJob } from 'kubernetes-models/batch/v1/CronJob'
import { Job } from 'kubernetes-models/batch/v1/Job'
import { Lease } from 'kubernetes-models/coordination.k8s.io/v1/Lease'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Event } from 'kubernetes-models/v1/Event'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { Pod } from 'kubernetes-models/v1/Pod'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import type { KubeObject } from './kube-object.ts'
import { apiVersionOf, type ResourceType } from './resource-types.ts'
import type { StatusCause } from './status.ts'

interface Model {
  validate(): void
}

/** The kinds kubernetes-models knows that the fake serves, checked against Kubernetes' OpenAPI schemas. */
const MODELS: Record<string, new (data: never) => Model> = {
  'v1/Pod': Pod,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Namespace': Namespace,
  'v1/Event': Event,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'apps/v1/Deployment': Deployment,
  'coordination.k8s.io/v1/Lease': Lease,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
}

interface SchemaError {
  instancePath?: string
  message?: string
  keyword?: string
  params?: { missingProperty?: string; allowedValues?: unknown[] }
}

/** `/spec/template/spec/containers/0` -> `spec.template.spec.containers[0]`. */
function fieldPath(pointer: string): string {
  let path = ''
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~')
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`
  }
  return path
}

function schemaCauses(errors: SchemaError[]): StatusCause[] {
  return errors.map((error) => {
    let field = fieldPath(error.instancePath ?? '')
    if (error.keyword === 'required' && error.params?.missingProperty) {
      field = field === '' ? error.params.missingProperty : `${field}.${error.params.missingProperty}`
      return { reason: 'FieldValueRequired', message: 'Required value', field }
    }
    if (error.keyword === 'enum') return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${error.message ?? ''}`, field }
    return { reason: 'FieldValueInvalid', message: `Invalid value: ${error.message ?? ''}`, field }
  })
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/

function metadataCauses(object: KubeObject, type: ResourceType): StatusCause[] {
  const causes: StatusCause[] = []
  const name = object.metadata.name ?? ''
  // Names become label values (job-name) and host names (pods), so these kinds use the stricter label rule.
  const labelLike = type.plural === 'namespaces' || type.plural === 'services'
  if (name.length > (labelLike ? 63 : 253) || !(labelLike ? DNS1123_LABEL : DNS1123_SUBDOMAIN).test(name)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 ${labelLike ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      field: 'metadata.name',
    })
  }
  for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
    const keyName = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key
    if (keyName.length > 63 || !LABEL_NAME.test(keyName)) {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`, field: 'metadata.labels' })
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${String(value)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must be no more than 63 characters`, field: `metadata.labels` })
    }
  }
  return causes
}

function podSpecCauses(spec: KubeObject['spec'], path: string): StatusCause[] {
  const causes: StatusCause[] = []
  const containers: { name?: string; image?: string }[] = spec?.containers ?? []
  if (containers.length === 0) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${path}.containers` })
  containers.forEach((container, i) => {
    if (!container.image) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${path}.containers[${i}].image` })
  })
  const names = containers.map((c) => c.name)
  names.forEach((name, i) => {
    if (name !== undefined && names.indexOf(name) !== i) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${name}"`, field: `${path}.containers[${i}].name` })
  })
  return causes
}

function kindCauses(object: KubeObject, type: ResourceType): StatusCause[] {
  if (type.group === 'batch' && type.kind === 'Job') {
    const causes = podSpecCauses(object.spec?.template?.spec, 'spec.template.spec')
    const restartPolicy = object.spec?.template?.spec?.restartPolicy
    if (restartPolicy !== 'Never' && restartPolicy !== 'OnFailure') {
      causes.push({
        reason: restartPolicy === undefined ? 'FieldValueRequired' : 'FieldValueNotSupported',
        message: restartPolicy === undefined ? 'Required value: valid values: "OnFailure", "Never"' : `Unsupported value: "${restartPolicy}": supported values: "OnFailure", "Never"`,
        field: 'spec.template.spec.restartPolicy',
      })
    }
    // The job controller puts the name into the pods' job-name label.
    if ((object.metadata.name ?? '').length > 63) {
      causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: must be no more than 63 characters', field: 'metadata.name' })
    }
    return causes
  }
  if (type.group === '' && type.kind === 'Pod') return podSpecCauses(object.spec, 'spec')
  return []
}

/** Every problem with an incoming object; empty when it is valid. */
export function validateObject(object: KubeObject, type: ResourceType): StatusCause[] {
  const causes = metadataCauses(object, type)
  const Model = MODELS[`${apiVersionOf(type)}/${type.kind}`]
  if (Model) {
    try {
      new Model(object as never).validate()
    } catch (error) {
      const errors = (error as { errors?: SchemaError[] }).errors
      if (!errors) throw error
      causes.push(...schemaCauses(errors))
    }
  }
  causes.push(...kindCauses(object, type))
  return causes
}
