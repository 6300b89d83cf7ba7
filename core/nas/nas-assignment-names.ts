/**
 * The assignments a NAS experiment's trials get, which its trialParameters reference (Katib's
 * `reference: architecture`): darts hands every trial the same three (Katib's DARTS service),
 * every other architecture search one architecture and its description (Katib's ENAS service).
 */
export const ARCHITECTURE_ASSIGNMENT_NAMES: readonly string[] = ['architecture', 'nn_config']
export const DARTS_ASSIGNMENT_NAMES: readonly string[] = ['algorithm-settings', 'search-space', 'num-layers']

export function nasAssignmentNames(algorithmName: string): readonly string[] {
  return algorithmName === 'darts' ? DARTS_ASSIGNMENT_NAMES : ARCHITECTURE_ASSIGNMENT_NAMES
}
