/**
 * The architecture space of a neural architecture search, as algorithms consume it: Katib's
 * `spec.nasConfig` with every operation multiplied out over its parameters and numbered in
 * Katib's order (see expand-nas-config.ts). An architecture picks, for each layer, one of these
 * operations and, for each earlier layer, whether its output is skipped into this one.
 */
export interface NasOperation {
  /** Katib's operation id: the position in the expanded list, from 0. */
  readonly id: number
  /** `operationType` as written (`convolution`, `reduction`, ...). */
  readonly type: string
  /** The operation's parameter values, as Katib prints them in nn_config's embedding. */
  readonly params: Readonly<Record<string, string>>
  /**
   * The names in `params` Katib holds as numbers (int and double ranges), which nn_config prints
   * bare (`2`, `0.5`) where categorical values are quoted (`'3'`). Absent: none.
   */
  readonly numeric?: readonly string[]
}

export interface ArchitectureSpace {
  readonly numLayers: number
  readonly inputSizes: readonly number[]
  readonly outputSizes: readonly number[]
  readonly operations: readonly NasOperation[]
}

/**
 * Katib's `architecture`: per layer `[operationId, skip_0, ..., skip_{i-1}]`, so layer i has
 * length 1 + i and each skip is 0 or 1.
 */
export type Architecture = readonly (readonly number[])[]
