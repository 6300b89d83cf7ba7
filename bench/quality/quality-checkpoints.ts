/** SUITE.md's checkpoints. */
export const SUITE_CHECKPOINTS: readonly number[] = [25, 50, 100, 200]

/** The suite's checkpoints that a run of `budget` trials reaches, and the budget itself. */
export function qualityCheckpoints(budget: number): number[] {
  return [...new Set([...SUITE_CHECKPOINTS.filter((c) => c <= budget), budget])].sort((a, b) => a - b)
}
