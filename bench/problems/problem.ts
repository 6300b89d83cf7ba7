/**
 * A benchmark problem in the language-neutral format of hpo-anchor-v1 (`suite.json`): the same
 * parameter fields, so a problem can be checked against the suite and custom problems can be
 * written without knowing our SearchSpace. Every problem is minimised.
 */
export type ProblemParam =
  | {
      readonly name: string
      readonly type: 'double' | 'int'
      /** Inclusive bounds. */
      readonly low: number
      readonly high: number
      /** Sampled uniformly in log space (needs low > 0). */
      readonly log?: boolean
      /** Grid spacing: values low, low + step, ..., high. Ints without a step move by 1. */
      readonly step?: number
    }
  | {
      readonly name: string
      readonly type: 'categorical'
      /** Unordered string choices. */
      readonly choices: readonly string[]
    }

export type ProblemParams = Readonly<Record<string, number | string>>

export interface Problem {
  readonly name: string
  readonly params: readonly ProblemParam[]
  /** Deterministic, noise-free objective; lower is better. */
  evaluate(params: ProblemParams): number
  /** Known global minimum, for simple regret. */
  readonly globalMin: number
}

/** A problem with a training resource (epochs): `evaluate` is the loss at full fidelity. */
export interface MultiFidelityProblem extends Problem {
  readonly resource: { readonly name: string; readonly min: number; readonly max: number }
  /** The loss after `resource` units (a learning curve). */
  loss(params: ProblemParams, resource: number): number
}

/** A numeric parameter value; problems are only handed values the harness has checked. */
export function num(params: ProblemParams, name: string): number {
  return params[name] as number
}
