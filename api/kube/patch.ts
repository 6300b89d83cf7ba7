import { badRequest, KubeError, kubeStatus, unsupportedMediaType } from './kube-status.ts'

/**
 * The patch media types a Kubernetes API server takes for a custom resource. Strategic merge
 * patch is not among them: it needs the patch strategies of a compiled-in Go type, which a
 * custom resource has none of, so a server answers it 415 (and kubectl then says to use
 * `--type merge`); server-side apply (`application/apply-patch+yaml`) is the routes' to handle.
 */
export const MERGE_PATCH = 'application/merge-patch+json'
export const JSON_PATCH = 'application/json-patch+json'
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json'
export const APPLY_PATCH = 'application/apply-patch+yaml'
export const CUSTOM_RESOURCE_PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH] as const

/**
 * `current` patched by `patch` as the request's media type says: a merge or JSON patch, or the
 * 415 Status a server answers any other type with on a custom resource (strategic merge
 * included). Server-side apply is not a patch of the current object: the caller handles it first.
 */
export function applyPatch(mediaType: string | undefined, current: unknown, patch: unknown): unknown {
  if (mediaType === MERGE_PATCH) return mergePatch(current, patch)
  if (mediaType === JSON_PATCH) return jsonPatch(current, patch)
  throw unsupportedMediaType(mediaType, CUSTOM_RESOURCE_PATCH_TYPES)
}

const invalidPatch = (message: string) => new KubeError(kubeStatus(422, 'Invalid', message))

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch)
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {}
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

interface Operation {
  op: string
  path: string
  value?: unknown
  from?: string
}

function pointer(path: unknown): string[] {
  if (path === '') return []
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer ${String(path)}`)
  }
  return path.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function parentOf(document: unknown, parts: string[]): { parent: Record<string, unknown> | unknown[]; key: string } {
  let node = document
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown> | undefined)?.[part]
    if (node === null || typeof node !== 'object') throw invalidPatch(`doc is missing path: /${parts.join('/')}`)
  }
  return { parent: node as Record<string, unknown> | unknown[], key: parts[parts.length - 1]! }
}

function read(document: unknown, path: string): unknown {
  let node = document
  for (const part of pointer(path)) {
    node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown> | undefined)?.[part]
    if (node === undefined) throw invalidPatch(`doc is missing path: ${path}`)
  }
  return node
}

function remove(document: unknown, path: string): void {
  const { parent, key } = parentOf(document, pointer(path))
  if (Array.isArray(parent)) {
    const index = Number(key)
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) throw invalidPatch(`doc is missing path: ${path}`)
    parent.splice(index, 1)
  } else {
    if (!Object.hasOwn(parent, key)) throw invalidPatch(`doc is missing key: ${path}`)
    delete parent[key]
  }
}

function add(document: unknown, path: string, value: unknown, replace: boolean): unknown {
  const parts = pointer(path)
  if (parts.length === 0) return structuredClone(value)
  const { parent, key } = parentOf(document, parts)
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key)
    if (!Number.isInteger(index) || index < 0 || index > parent.length || (replace && index === parent.length)) {
      throw invalidPatch(`${replace ? 'replace' : 'add'} operation does not apply: doc is missing path: ${path}`)
    }
    if (replace) parent[index] = structuredClone(value)
    else parent.splice(index, 0, structuredClone(value))
  } else {
    if (replace && !Object.hasOwn(parent, key)) throw invalidPatch(`replace operation does not apply: doc is missing key: ${path}`)
    parent[key] = structuredClone(value)
  }
  return document
}

/** RFC 6902 JSON patch, the default content type of client-node's typed patch calls. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('the server rejected our request due to an error in our request: json patch is not an array')
  let document = structuredClone(target)
  for (const operation of operations as Operation[]) {
    if (operation === null || typeof operation !== 'object') throw badRequest('the server rejected our request due to an error in our request: json patch operation is not an object')
    switch (operation.op) {
      case 'add':
        document = add(document, operation.path, operation.value, false)
        break
      case 'replace':
        document = add(document, operation.path, operation.value, true)
        break
      case 'remove':
        remove(document, operation.path)
        break
      case 'test':
        if (JSON.stringify(read(document, operation.path)) !== JSON.stringify(operation.value)) {
          throw invalidPatch(`testing value ${operation.path} failed`)
        }
        break
      case 'move': {
        const value = read(document, operation.from!)
        remove(document, operation.from!)
        document = add(document, operation.path, value, false)
        break
      }
      case 'copy':
        document = add(document, operation.path, read(document, operation.from!), false)
        break
      default:
        throw badRequest(`Unexpected kind: ${String(operation.op)}`)
    }
  }
  return document
}
