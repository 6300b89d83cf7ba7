/**
 * Acquisition functions for minimisation, in the forms that are maximised, as functions of the
 * GP's predictive mean μ and standard deviation σ at a point (skopt's `gaussian_ei`,
 * `gaussian_lcb`, `gaussian_pi`, with its defaults ξ = 0.01 and κ = 1.96):
 *
 * - EI, expected improvement (Močkus 1975; Jones, Schonlau & Welch, "Efficient Global
 *   Optimization of Expensive Black-Box Functions", J. Global Optim. 13, 1998, eq. 15), as log
 *   EI (Ament et al., NeurIPS 2023): log σ + log h(z), z = (f* − ξ − μ)/σ. Same maximiser as EI,
 *   but finite with a useful gradient where EI underflows to 0, which is most of the space once
 *   the model is confident, so multi-start gradient ascent does not stall on flat zeros.
 * - PI, probability of improvement (Kushner 1964), as log Φ(z), for the same reason.
 * - LCB, lower confidence bound (Srinivas et al. 2010 in its fixed-κ form): −(μ − κσ).
 *
 * Deviation from skopt: f*, ξ and μ are in the GP's transformed, standardised units (see
 * output-transform.ts), not the objective's, so ξ = 0.01 means the same trade-off whatever the
 * objective's scale. Values are not comparable across acquisition functions; only each one's
 * maximiser matters.
 */
import { logExpectedImprovementFactor, logNormalCdf } from './normal-distribution.ts'

export type AcquisitionName = 'EI' | 'LCB' | 'PI'

export interface AcquisitionSettings {
  /** f*, the best (lowest) value observed or believed so far. */
  readonly best: number
  /** Improvement margin for EI and PI. */
  readonly xi: number
  /** Exploration weight for LCB. */
  readonly kappa: number
}

export const DEFAULT_XI = 0.01
export const DEFAULT_KAPPA = 1.96
/** σ below this is treated as this: log EI and log PI need σ > 0. */
const MIN_SD = 1e-9

/** The acquisition value and its partial derivatives with respect to μ and σ. */
export interface AcquisitionValue {
  value: number
  dMean: number
  dSd: number
}

export function acquisition(name: AcquisitionName, mean: number, sd: number, settings: AcquisitionSettings, out: AcquisitionValue = { value: 0, dMean: 0, dSd: 0 }): AcquisitionValue {
  const s = Math.max(sd, MIN_SD)
  // Where σ was raised to MIN_SD it is constant, so it has no derivative.
  const sdActive = sd > MIN_SD ? 1 : 0
  switch (name) {
    case 'LCB':
      out.value = -(mean - settings.kappa * s)
      out.dMean = -1
      out.dSd = settings.kappa * sdActive
      return out
    case 'EI': {
      const z = (settings.best - settings.xi - mean) / s
      const h = logExpectedImprovementFactor(z)
      out.value = Math.log(s) + h.value
      out.dMean = -h.cdfRatio / s
      out.dSd = (h.pdfRatio / s) * sdActive
      return out
    }
    case 'PI': {
      const z = (settings.best - settings.xi - mean) / s
      const { value, derivative } = logNormalCdf(z)
      out.value = value
      out.dMean = -derivative / s
      out.dSd = ((-derivative * z) / s) * sdActive
      return out
    }
  }
}
