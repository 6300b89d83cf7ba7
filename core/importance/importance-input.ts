import type { Parameter, ParamValue } from '../search-space.ts'
import type { TrialState } from '../trial.ts'
import type { ImportanceTrial } from './ped-anova.ts'

/** The trials whose objective counts: those that ran to the end, and those stopped early at a rung. */
export const IMPORTANCE_STATES: readonly TrialState[] = ['Succeeded', 'EarlyStopped']

export interface ImportanceInput {
  readonly parameters: readonly Parameter[]
  readonly trials: readonly ImportanceTrial[]
  /** The multi-fidelity resource left out of the parameters (hyperband's resource_name), if any. */
  readonly resourceParameter: string | undefined
}

/**
 * What parameter importance is computed over, for any experiment and for multi-fidelity ones in
 * particular:
 *
 * - the resource parameter of hyperband (`resource_name`, e.g. epochs) is no hyperparameter: the
 *   algorithm sets it by rung, and longer training is better almost by definition, so it would
 *   take most of the importance and say nothing. It is left out.
 * - an early-stopped trial (asha, medianstop, a hyperband rung) counts with the objective it
 *   reached where it stopped, as it competes for the best trial (lifecycle/best-trial.ts). Left
 *   out, the estimate saw only the trials the stopping rule already liked, so a parameter that
 *   sent trials to an early stop looked unimportant.
 */
export function importanceInput(
  space: readonly Parameter[],
  algorithm: { readonly algorithmName: string; readonly algorithmSettings?: readonly { readonly name: string; readonly value?: string }[] },
  trials: readonly { readonly state: TrialState; readonly objective: number | null; readonly params: Readonly<Record<string, ParamValue | boolean>> }[],
): ImportanceInput {
  const resourceParameter = resourceParameterOf(algorithm, space)
  return {
    parameters: space.filter((p) => p.name !== resourceParameter),
    trials: trials
      .filter((t) => IMPORTANCE_STATES.includes(t.state) && t.objective !== null && Number.isFinite(t.objective))
      .map((t) => ({ params: t.params, objective: t.objective! })),
    resourceParameter,
  }
}

/** hyperband's resource parameter, where it names one of the space. */
export function resourceParameterOf(
  algorithm: { readonly algorithmName: string; readonly algorithmSettings?: readonly { readonly name: string; readonly value?: string }[] },
  space: readonly Parameter[],
): string | undefined {
  if (algorithm.algorithmName !== 'hyperband') return undefined
  const name = algorithm.algorithmSettings?.find((s) => s.name === 'resource_name')?.value
  return space.some((p) => p.name === name) ? name : undefined
}
