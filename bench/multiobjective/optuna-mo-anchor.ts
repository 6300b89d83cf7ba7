/**
 * Optuna 5.0.0's numbers on the multi-objective problems, quoted from the project's anchor file
 * anchor-optuna-mo.md (2-core machine, sequential ask/tell, seeds 0-9): median hypervolume
 * regret and quartiles after 50 / 100 / 200 trials. Quoted, not re-measured; the reports print
 * them beside ours as such.
 */
export interface AnchorQuartiles {
  readonly median: number
  readonly q1: number
  readonly q3: number
}

export const OPTUNA_MO_ANCHOR: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, AnchorQuartiles>>>>>> = {
  zdt1: {
    RandomSampler: { 50: q(21.7, 20.7, 23.9), 100: q(20.31, 18.8, 21.4), 200: q(18.42, 17.4, 20.9) },
    'NSGAIISampler (population 50)': { 50: q(21.7, 20.7, 23.9), 100: q(20.08, 19, 20.4), 200: q(15.6, 14.8, 17.8) },
    'TPESampler(multivariate=True) (MOTPE)': { 50: q(23.57, 21.3, 24.8), 100: q(20.5, 18.3, 22.2), 200: q(17.1, 15.6, 21.3) },
  },
  zdt2: {
    RandomSampler: { 50: q(35.09, 33.7, 39.6), 100: q(33.75, 31.5, 35.2), 200: q(31.62, 30.2, 33.9) },
    'NSGAIISampler (population 50)': { 50: q(35.09, 33.7, 39.6), 100: q(33.11, 31, 34.9), 200: q(28.59, 26.7, 30.7) },
    'TPESampler(multivariate=True) (MOTPE)': { 50: q(34.34, 30.3, 36.9), 100: q(27.67, 25.4, 32.1), 200: q(24.37, 22.1, 28.9) },
  },
  dtlz2: {
    RandomSampler: { 50: q(0.609, 0.586, 0.642), 100: q(0.5437, 0.512, 0.561), 200: q(0.4843, 0.477, 0.5) },
    'NSGAIISampler (population 50)': { 50: q(0.609, 0.586, 0.642), 100: q(0.5839, 0.559, 0.599), 200: q(0.4507, 0.428, 0.476) },
    'TPESampler(multivariate=True) (MOTPE)': { 50: q(0.5024, 0.452, 0.545), 100: q(0.4336, 0.38, 0.468), 200: q(0.379, 0.32, 0.434) },
  },
}

function q(median: number, q1: number, q3: number): AnchorQuartiles {
  return { median, q1, q3 }
}
