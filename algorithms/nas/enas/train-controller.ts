import type { Architecture } from '../../../core/nas/architecture-space.ts'
import { adamUpdate } from './adam.ts'
import type { ControllerLayout } from './controller-layout.ts'
import { backward, scoreArchitecture, type ControllerConfig, type ControllerPass } from './controller-pass.ts'
import { LOG_LENGTH, type EnasState } from './enas-state.ts'

/**
 * REINFORCE on the controller (Williams 1992, as ENAS §2.2 and Katib's build_trainer), over a
 * batch of trials that finished since the last training: controller_train_steps Adam updates
 * of the mean over the batch of
 *
 *   loss = -log π(architecture) · (R - b) + skip_weight · mean over layers ≥ 1 of KL(skips ‖ target)
 *
 * with R = reward + entropy_weight · entropy term (no gradient through it) and b the moving
 * average baseline, moved once per update towards the batch's mean R before it is used:
 * b ← b − (1 − baseline_decay)(b − mean R), except that the first batch's first update sets b to
 * its mean R. Katib scores, at every update, an architecture the
 * controller has just sampled, against the mean reward of all trials so far, so its gradient
 * does not tie a reward to the architecture that earned it; we score each trial's own
 * architecture against its own reward, which is REINFORCE as the paper states it.
 *
 * The baseline starting at the first batch's mean rather than at 0 (Katib's and the paper's
 * start) is a further deviation; the reason was written down before measuring: from 0, every
 * early reward is an advantage (an accuracy of 0.3 as much as one of 0.9), so the first updates
 * reinforce whatever was drawn, and at Katib's decay of 0.999 the baseline needs thousands of
 * updates to catch up with rewards around 0.5 to 0.9. Its effect, and that of advantage
 * normalisation (tried and left out), are in docs/nas.md ("Where we differ from Katib").
 */
export interface TrainingSettings {
  readonly learningRate: number
  readonly baselineDecay: number
  /** None (null): no entropy bonus. */
  readonly entropyWeight: number | null
  /** None (null): no skip penalty. */
  readonly skipWeight: number | null
  readonly trainSteps: number
  readonly logEverySteps: number
}

export interface RewardedArchitecture {
  readonly architecture: Architecture
  /** The objective, negated when it is minimised: larger is better. */
  readonly reward: number
}

export function trainController(
  state: EnasState, layout: ControllerLayout, config: ControllerConfig, settings: TrainingSettings,
  batch: readonly RewardedArchitecture[],
): void {
  if (batch.length === 0) return
  const n = batch.length
  // newResults has counted this batch already: nothing was learned before it.
  const firstBatch = state.trialsLearned === n
  const skipLayers = layout.numLayers - 1
  const skipPairs = (layout.numLayers * (layout.numLayers - 1)) / 2
  const grad = new Float64Array(layout.size)
  for (let step = 0; step < settings.trainSteps; step++) {
    const passes: ControllerPass[] = batch.map((b) => scoreArchitecture(state.weights, layout, config, b.architecture))
    const rewards = passes.map((pass, i) => batch[i]!.reward + (settings.entropyWeight ?? 0) * pass.entropy)
    const meanReward = rewards.reduce((a, b) => a + b, 0) / n
    if (firstBatch && step === 0) state.baseline = meanReward
    else state.baseline -= (1 - settings.baselineDecay) * (state.baseline - meanReward)

    grad.fill(0)
    let loss = 0
    let entropy = 0
    let skips = 0
    const klWeight = settings.skipWeight === null || skipLayers === 0 ? 0 : settings.skipWeight / skipLayers
    passes.forEach((pass, i) => {
      const advantage = rewards[i]! - state.baseline
      loss += (-pass.logProb * advantage + klWeight * pass.skipKl) / n
      entropy += pass.entropy / n
      skips += pass.skipCount / n
      backward(state.weights, layout, config, pass, -advantage / n, klWeight / n, grad)
    })
    const squares = adamUpdate(state.weights, grad, state.moments, settings.learningRate)

    if (state.moments.step % settings.logEverySteps === 0) {
      state.log.push({
        step: state.moments.step,
        loss,
        entropy,
        gradNorm: Math.sqrt(squares),
        baseline: state.baseline,
        skipRate: skipPairs === 0 ? 0 : skips / skipPairs,
      })
      if (state.log.length > LOG_LENGTH) state.log = state.log.slice(-LOG_LENGTH)
    }
  }
}
