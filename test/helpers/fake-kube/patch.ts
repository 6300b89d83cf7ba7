import { badRequest, KubeError } from './status.ts'
import { clone } from './kube-object.ts'

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch)
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

function pointer(path: string): string[] {
  if (path === '') return []
  if (!path.startsWith('/')) throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer ${path}`)
  return path.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function parentOf(document: unknown, parts: string[]): { parent: Record<string, unknown> | unknown[]; key: string } {
  let node = document
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown> | undefined)?.[part]
    if (node === null || typeof node !== 'object') throw new KubeError(422, 'Invalid', `doc is missing path: /${parts.join('/')}`)
  }
  return { parent: node as Record<string, unknown> | unknown[], key: parts[parts.length - 1]! }
}

function read(document: unknown, path: string): unknown {
  let node = document
  for (const part of pointer(path)) {
    node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown> | undefined)?.[part]
    if (node === undefined) throw new KubeError(422, 'Invalid', `doc is missing path: ${path}`)
  }
  return node
}

function remove(document: unknown, path: string): void {
  const { parent, key } = parentOf(document, pointer(path))
  if (Array.isArray(parent)) parent.splice(Number(key), 1)
  else {
    if (!Object.hasOwn(parent, key)) throw new KubeError(422, 'Invalid', `doc is missing key: ${path}`)
    delete parent[key]
  }
}

function add(document: unknown, path: string, value: unknown, replace: boolean): unknown {
  const parts = pointer(path)
  if (parts.length === 0) return clone(value)
  const { parent, key } = parentOf(document, parts)
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key)
    if (replace) parent[index] = clone(value)
    else parent.splice(index, 0, clone(value))
  } else {
    if (replace && !Object.hasOwn(parent, key)) throw new KubeError(422, 'Invalid', `replace operation does not apply: doc is missing key: ${path}`)
    parent[key] = clone(value)
  }
  return document
}

/** RFC 6902 JSON patch, the default content type of client-node's typed patch calls. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('the server rejected our request due to an error in our request: json patch is not an array')
  let document = clone(target)
  for (const operation of operations as Operation[]) {
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
          throw new KubeError(422, 'Invalid', `testing value ${operation.path} failed`)
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
