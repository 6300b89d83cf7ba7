import { rfc3339 } from '../../core/katib/rfc3339.ts'

export const KATIB_API_VERSION = 'kubeflow.org/v1beta1'

/** The namespace an experiment without one is in, as kubectl's default context has it. */
export const DEFAULT_NAMESPACE = 'default'

/** The label Katib puts on an experiment's Trials and Suggestion (`kubectl get trials -l katib.kubeflow.org/experiment=NAME`). */
export const EXPERIMENT_LABEL = 'katib.kubeflow.org/experiment'

/** ObjectMeta as this server fills it (see the brief's "Resource versions"); absent keys are omitted, as a server does. */
export interface KubeObjectMeta {
  readonly name: string
  readonly generateName?: string
  readonly namespace: string
  readonly uid: string
  /** The highest event id concerning the object, in decimal. */
  readonly resourceVersion: string
  readonly generation: number
  readonly creationTimestamp: string
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
  readonly ownerReferences?: readonly KubeOwnerReference[]
}

export interface KubeOwnerReference {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly uid: string
  readonly controller: boolean
  readonly blockOwnerDeletion: boolean
}

/** ListMeta of a list answer. */
export interface KubeListMeta {
  readonly resourceVersion: string
  readonly continue?: string
  readonly remainingItemCount?: number
}

export interface ObjectMetaInput {
  readonly name: string
  readonly generateName?: string | undefined
  readonly namespace: string
  readonly uid: string
  readonly resourceVersion: number
  readonly generation: number
  readonly createdAt: Date
  readonly labels?: Readonly<Record<string, string>> | undefined
  readonly annotations?: Readonly<Record<string, string>> | undefined
  readonly owner?: KubeOwnerReference | undefined
}

export function objectMeta(input: ObjectMetaInput): KubeObjectMeta {
  return {
    name: input.name,
    ...(input.generateName ? { generateName: input.generateName } : {}),
    namespace: input.namespace,
    uid: input.uid,
    resourceVersion: String(input.resourceVersion),
    generation: input.generation,
    creationTimestamp: rfc3339(input.createdAt),
    ...(input.labels && Object.keys(input.labels).length > 0 ? { labels: { ...input.labels } } : {}),
    ...(input.annotations && Object.keys(input.annotations).length > 0 ? { annotations: { ...input.annotations } } : {}),
    ...(input.owner ? { ownerReferences: [input.owner] } : {}),
  }
}

/** The namespace of an experiment's document: its metadata.namespace, else `default`. */
export function namespaceOf(spec: { readonly metadata: { readonly namespace?: string | undefined } }): string {
  return spec.metadata.namespace || DEFAULT_NAMESPACE
}
