/**
 * Katib's template placeholders: `${trialParameters.<name>}` in the template, and trial
 * metadata references `${trialSpec.<Key>}` as a trialParameter's reference (section 1b).
 */

/** Same pattern Katib's webhook uses to find placeholders, so the same text counts as one. */
const PLACEHOLDER = /\$\{trialParameters\.(.+?)\}/g

export function placeholderFor(name: string): string {
  return '${trialParameters.' + name + '}'
}

/** Names used as `${trialParameters.<name>}` in `text`, in order, with repeats. */
export function findPlaceholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1])
}

/**
 * Replaces every placeholder in one pass, so a substituted value that itself contains
 * `${trialParameters.x}` is never expanded again.
 */
export function replacePlaceholders(text: string, valueOf: (name: string) => string): string {
  return text.replace(PLACEHOLDER, (_, name: string) => valueOf(name))
}

/**
 * `CheckpointDir` is ours, not Katib's: the trial's checkpoint directory, which a trial continuing
 * another (hyperband promotion, pbt) finds pre-filled with its parent's (docs/multi-fidelity.md).
 */
export const META_KEYS = ['Name', 'Namespace', 'Kind', 'APIVersion', 'CheckpointDir'] as const
export type MetaReference =
  | { readonly key: (typeof META_KEYS)[number] }
  | { readonly key: 'Labels' | 'Annotations'; readonly entry: string }

/**
 * `${trialSpec.Name}`, `${trialSpec.Labels[team]}`, ... or undefined for a parameter name.
 * Unlike Katib the whole reference must be the placeholder: Katib also accepts text around
 * it and then silently drops that text.
 */
export function parseMetaReference(reference: string): MetaReference | undefined {
  const inner = /^\$\{trialSpec\.(.+)\}$/.exec(reference)?.[1]
  if (inner === undefined) return undefined
  const simple = META_KEYS.find((k) => k === inner)
  if (simple) return { key: simple }
  const indexed = /^(Labels|Annotations)\[(.+)\]$/.exec(inner)
  if (indexed) return { key: indexed[1] as 'Labels' | 'Annotations', entry: indexed[2] }
  return undefined
}

/** True for anything shaped like a metadata reference, valid or not, to word errors precisely. */
export function looksLikeMetaReference(reference: string): boolean {
  return reference.startsWith('${trialSpec.')
}
