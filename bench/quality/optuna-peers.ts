/**
 * The Optuna anchor configuration each of our algorithms is most directly comparable to, by
 * Katib name: Katib's `tpe` is hyperopt's independent TPE, `multivariate-tpe` Optuna's
 * multivariate one (Optuna 5's default), `cmaes` Optuna's CmaEsSampler defaults (centre start,
 * σ0 = 1/6). bayesianoptimization has no peer: the anchor could not run Optuna's GPSampler.
 * Every algorithm is also compared against Optuna's default `tpe`, the baseline to beat.
 */
export const OPTUNA_PEERS: Readonly<Record<string, string>> = {
  random: 'random',
  sobol: 'qmc_sobol',
  tpe: 'tpe_indep',
  'multivariate-tpe': 'tpe',
  cmaes: 'cma_center',
}

export const OPTUNA_BASELINE = 'tpe'
