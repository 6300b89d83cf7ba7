import { closestMatch } from './closest-match.ts'
import { joinPointer } from './json-pointer.ts'
import { kubernetesFields } from './kubernetes-schemas.ts'

/** A field that the Kubernetes type at its place does not have. */
export interface UnknownField {
  /** JSON pointer of the field itself. */
  readonly path: string
  readonly field: string
  /** The type it sits in, as Kubernetes names it (`Container`, `JobSpec`). */
  readonly typeName: string
  /** A known field of that type the name is probably a typo of. */
  readonly guess?: string
}

const ARRAY = /^Array<(.+)>$/
const MAP = /^\{ \[key: string\]: (.+); \}$/

/**
 * Walks `value` as the client-node type `typeName` (`V1Job`, `Array<V1Container>`, a map of
 * them) and reports every key that type does not declare. Keys holding a `${...}` placeholder
 * are left alone: Katib substitutes keys too, so only the rendered name can be judged.
 */
export function findUnknownFields(value: unknown, typeName: string, path: string, found: UnknownField[] = []): UnknownField[] {
  if (value === null || typeof value !== 'object') return found
  const item = ARRAY.exec(typeName)?.[1]
  if (item !== undefined) {
    if (Array.isArray(value)) value.forEach((entry, i) => findUnknownFields(entry, item, joinPointer(path, i), found))
    return found
  }
  const entry = MAP.exec(typeName)?.[1]
  if (entry !== undefined) {
    if (!Array.isArray(value)) for (const [key, inner] of Object.entries(value)) findUnknownFields(inner, entry, joinPointer(path, key), found)
    return found
  }
  const fields = kubernetesFields(typeName)
  // A scalar, IntOrString, `any`, or a type client-node lacks: nothing to compare keys with.
  if (!fields || Array.isArray(value)) return found
  for (const [key, inner] of Object.entries(value)) {
    const at = joinPointer(path, key)
    const field = fields.get(key)
    if (field) {
      findUnknownFields(inner, field.type, at, found)
    } else if (!key.includes('${')) {
      const guess = closestMatch(key, fields.keys())
      found.push({ path: at, field: key, typeName: kubernetesTypeName(typeName), ...(guess !== undefined ? { guess } : {}) })
    }
  }
  return found
}

/** `V1Container` -> `Container`, `V1beta1PodGroup` -> `PodGroup`, as `kubectl explain` says it. */
export function kubernetesTypeName(modelName: string): string {
  return modelName.replace(/^(?:[A-Z][a-z0-9]*)?V[0-9]+(?:(?:alpha|beta)[0-9]+)?/, '')
}
