import type { Experiment } from '../../core/spec/index.ts'
import { badRequest } from './kube-status.ts'
import { DEFAULT_NAMESPACE, KATIB_API_VERSION } from './object-meta.ts'

/** A body as a client sends it: a JSON object, nothing checked yet. */
export type KubeBody = Record<string, unknown>

/**
 * The document a client's Experiment object is stored as: what a user wrote (name, namespace,
 * generateName, labels, annotations and the spec), without what the server owns. uid,
 * resourceVersion, generation and creationTimestamp are ours (a server resets them on create
 * and ignores them on update), and status is the controller's (the status subresource: a
 * create or an update of the main resource never sets it). Finalizers and ownerReferences are
 * left out too: nothing here would honour them.
 */
export function storedDocument(body: KubeBody, namespace: string): KubeBody {
  const metadata = (isObject(body.metadata) ? body.metadata : {}) as KubeBody
  return {
    apiVersion: body.apiVersion,
    kind: body.kind,
    metadata: {
      ...(metadata.name !== undefined ? { name: metadata.name } : {}),
      ...(metadata.generateName !== undefined ? { generateName: metadata.generateName } : {}),
      // `default` is where an experiment without one is (namespaceOf): left out, the document is
      // the one a REST submission of the same file stores, so `tunewell run` of that file matches it.
      ...(namespace !== DEFAULT_NAMESPACE ? { namespace } : {}),
      ...(nonEmpty(metadata.labels) ? { labels: metadata.labels } : {}),
      ...(nonEmpty(metadata.annotations) ? { annotations: metadata.annotations } : {}),
    },
    spec: body.spec,
  }
}

/**
 * Warnings for what a client set that storedDocument leaves out and would otherwise vanish
 * without a word: finalizers (nothing here would ever remove them, so a delete would hang on a
 * cluster's terms; here a delete is at once) and ownerReferences (no garbage collector here).
 */
export function droppedMetadataWarnings(body: KubeBody): string[] {
  const metadata = (isObject(body.metadata) ? body.metadata : {}) as KubeBody
  const warnings: string[] = []
  if (Array.isArray(metadata.finalizers) && metadata.finalizers.length > 0) {
    warnings.push('metadata.finalizers are not kept: an experiment is deleted at once, with its trials')
  }
  if (Array.isArray(metadata.ownerReferences) && metadata.ownerReferences.length > 0) {
    warnings.push('metadata.ownerReferences are not kept: no garbage collector deletes experiments with their owners here')
  }
  return warnings
}

/**
 * The checks a server makes of any write's body before its content: a JSON object of this
 * group/version and kind, in the URL's namespace (or none), and, when the URL names the object
 * (update, patch), of that name.
 */
export function checkBodyIdentity(body: unknown, namespace: string, name?: string): asserts body is KubeBody {
  if (!isObject(body)) throw badRequest('the body of the request is not a JSON object')
  const { apiVersion, kind } = body as KubeBody
  if (kind === undefined || kind === '') throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`)
  if (apiVersion !== KATIB_API_VERSION) {
    throw badRequest(`the API version in the data (${String(apiVersion ?? '')}) does not match the expected API version (${KATIB_API_VERSION})`)
  }
  if (kind !== 'Experiment') throw badRequest(`the kind in the data (${String(kind)}) does not match the expected kind (Experiment)`)
  const metadata = ((body as KubeBody).metadata ?? {}) as KubeBody
  if (!isObject(metadata)) throw badRequest('metadata: expected an object')
  if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
  }
  if (name !== undefined && metadata.name !== name) {
    throw badRequest(`the name of the object (${String(metadata.name ?? '')}) does not match the name on the URL (${name})`)
  }
}

/** labels and annotations, absent and empty alike. */
export function sameStringMaps(a: unknown, b: unknown): boolean {
  const left = Object.entries((a ?? {}) as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1))
  const right = Object.entries((b ?? {}) as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1))
  return JSON.stringify(left) === JSON.stringify(right)
}

/** The stored document with these labels and annotations (empty ones left out). */
export function withMetadata(spec: Experiment, labels: unknown, annotations: unknown): Experiment {
  const { labels: _l, annotations: _a, ...rest } = spec.metadata
  return {
    ...spec,
    metadata: {
      ...rest,
      ...(nonEmpty(labels) ? { labels: labels as Record<string, string> } : {}),
      ...(nonEmpty(annotations) ? { annotations: annotations as Record<string, string> } : {}),
    },
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function nonEmpty(value: unknown): boolean {
  return isObject(value) ? Object.keys(value).length > 0 : value !== undefined && value !== null
}
