import { KubeError as ProductKubeError } from '../../../api/kube/kube-status.ts'
import { matchesLabels, parseLabelSelector as parseSelector } from '../../../api/kube/selectors.ts'
import { badRequest } from './status.ts'

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean

/**
 * Parses the `labelSelector` query parameter with the product's parser (api/kube/selectors.ts),
 * so the fake and `tunewell serve` read selectors alike; its 400 becomes the fake's own error.
 */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  const selector = asFakeError(() => parseSelector(text))
  return (labels) => matchesLabels(selector, labels)
}

/** The product's KubeError as the fake's (its server answers only those). */
export function asFakeError<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof ProductKubeError) throw badRequest(error.message)
    throw error
  }
}
