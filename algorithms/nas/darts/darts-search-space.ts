import type { Operation } from '../../../core/spec/experiment-schema.ts'

/** The operation Katib's DARTS takes as it is, without parameters. */
export const SKIP_CONNECTION = 'skip_connection'

/**
 * Katib's DARTS search space (get_search_space in its darts service): `skip_connection` as is,
 * every other operation once per value of its first parameter's `feasibleSpace.list`, named
 * `<operationType>_<v>x<v>` (`separable_convolution_3x3`). Katib reads only that first
 * parameter, as the filter size, whatever its name; an operation whose first parameter has no
 * list (an int range) adds nothing. dartsAlgorithm.check warns about both.
 */
export function dartsSearchSpace(operations: readonly Operation[]): string[] {
  const space: string[] = []
  for (const operation of operations) {
    if (operation.operationType === SKIP_CONNECTION) {
      space.push(SKIP_CONNECTION)
      continue
    }
    for (const size of operation.parameters?.[0]?.feasibleSpace.list ?? []) {
      space.push(`${operation.operationType}_${size}x${size}`)
    }
  }
  return space
}
