/**
 * Where a new CMA-ES run starts once the previous one stopped (`stop-criteria.ts`):
 *
 * - ipop: Auger & Hansen, "A Restart CMA Evolution Strategy With Increasing Population Size"
 *   (CEC 2005): each restart doubles λ (multiplier 2, as Katib's goptuna), keeping σ0.
 * - bipop: Hansen, "Benchmarking a BI-Population CMA-ES on the BBOB-2009 Function Testbed"
 *   (GECCO 2009): alternates the IPOP regime (λ = λ0·2^i, σ0) with a small-population regime
 *   (λ = ⌊λ0·(λ_large/λ0)^(U²)⌋ with λ_large the last large λ, σ = σ0·10^(−2U'), U and U'
 *   uniform on [0, 1], as pycma writes the paper's formula), choosing whichever regime has used
 *   fewer evaluations so far. The first run counts toward the large regime.
 * - none: every restart uses λ0 and σ0. Deviation from Katib (whose goptuna never restarts with
 *   `none`): a converged run only proposes the same point again, which wastes every later trial.
 *
 * Restarts start at a uniformly random point of the box (drawn from the call's seeded stream),
 * as in both papers; only the first run starts at the centre.
 */
import type { Rng } from '../../core/rng.ts'
import { newRun } from './cma-state.ts'
import type { CmaRun, CmaesState } from './cma-state.ts'

export type RestartStrategy = 'none' | 'ipop' | 'bipop'

/** λ stops doubling here: larger generations would outlast any tuning budget. */
const MAX_POPSIZE_DOUBLINGS = 10

export interface RestartDefaults {
  /** λ0 and σ0: the first run's population size and step size. */
  readonly popsize: number
  readonly sigma: number
}

export type RestartCounters = Pick<CmaesState, 'restarts' | 'largeRestarts' | 'evaluationsLarge' | 'evaluationsSmall'>

/** The next run and the updated counters. */
export function restartRun(strategy: RestartStrategy, counters: RestartCounters, defaults: RestartDefaults, dimensions: number, rng: Rng): { run: CmaRun } & RestartCounters {
  const mean = Array.from({ length: dimensions }, () => rng.next())
  const restarts = counters.restarts + 1
  const large = (): { run: CmaRun } & RestartCounters => {
    const doublings = Math.min(counters.largeRestarts + 1, MAX_POPSIZE_DOUBLINGS)
    return { ...counters, restarts, largeRestarts: counters.largeRestarts + 1, run: newRun(mean, defaults.sigma, defaults.popsize * 2 ** doublings, 'large') }
  }
  switch (strategy) {
    case 'none':
      return { ...counters, restarts, run: newRun(mean, defaults.sigma, defaults.popsize, 'large') }
    case 'ipop':
      return large()
    case 'bipop': {
      if (counters.evaluationsLarge <= counters.evaluationsSmall) return large()
      const largePopsize = defaults.popsize * 2 ** Math.min(counters.largeRestarts, MAX_POPSIZE_DOUBLINGS)
      const u = rng.next()
      const popsize = Math.max(2, Math.floor(defaults.popsize * (largePopsize / defaults.popsize) ** (u * u)))
      const sigma = defaults.sigma * 10 ** (-2 * rng.next())
      return { ...counters, restarts, run: newRun(mean, sigma, popsize, 'small') }
    }
  }
}
