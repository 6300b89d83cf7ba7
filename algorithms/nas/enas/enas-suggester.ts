/**
 * ENAS: Pham, Guan, Zoph, Le & Dean, "Efficient Neural Architecture Search via Parameter
 * Sharing", ICML 2018 (arXiv:1802.03268), the macro search space's controller (§2.3), as Katib
 * runs it (pkg/suggestion/v1beta1/nas/enas: Controller.py, service.py, AlgorithmSettings.py):
 * an LSTM policy samples each layer's operation and its skip connections to earlier layers
 * (controller-pass.ts), and REINFORCE with a moving-average baseline, an entropy bonus and a
 * skip-rate KL penalty trains it on the trials' results (train-controller.ts). The trial does
 * the child training, as in Katib, so nothing here shares weights between children.
 *
 * Deviations from Katib, each for a reason:
 * - The gradient: Katib scores a freshly sampled architecture against the mean reward of all
 *   trials at every update; we score each trial's own architecture against its own reward
 *   (train-controller.ts). In Katib's form the reward does not depend on the architecture
 *   scored, so the REINFORCE term averages to zero (E[∇log π] = 0) and only the skip penalty
 *   and entropy term steer the policy: it cannot learn which architectures did well.
 * - Which results are learned: Katib trains on the mean of every succeeded trial so far at each
 *   call, so an old result counts again at every call; we train once on each trial, when it
 *   is first seen completed, however calls and parallel trials interleave (the state records
 *   which were learned).
 * - The baseline starts at the first rewarded batch's mean, not at 0 (train-controller.ts): from
 *   0 every early reward counts as an advantage and the first updates reinforce whatever was
 *   drawn. On bench:nas's surrogate (seeds the benchmark does not report) it lowered enas's
 *   median regret at 100 trials by about a tenth (docs/nas.md, "Where we differ from Katib").
 * - Advantage normalisation (dividing R − b by the rewards' standard deviation) was tried and
 *   left out: with Adam it mainly lets the noisy REINFORCE term of a few trials outweigh the skip
 *   penalty in the LSTM's shared weights, and the policy stopped learning on the same surrogate.
 * - Failed trials: Katib leaves them out of the reward (and suggests nothing while none has
 *   succeeded); we leave them out too, but keep suggesting from the current policy, so a
 *   failure does not stall the experiment.
 * - The weights persist in the state (enas-state.ts), so a restart continues the policy;
 *   Katib keeps them in its pod's file system and starts afresh when the pod restarts.
 * - Katib's two quirks in the sampler are kept (controller-pass.ts): skips sampled with
 *   sigmoid(2s) but penalised with sigmoid(s), and the per-choice entropy term.
 * - Bounds Katib lacks: controller_hidden_size at most 256 and controller_train_steps at most
 *   10,000 (memory and the state's size grow with the square of the first, the ask's time with
 *   both); controller_skip_target 1 is refused unless controller_skip_weight is None, since the
 *   penalty is then infinite and Katib's controller trains on NaN.
 * - With one layer there are no skips, so no penalty (Katib's mean over no layers fails).
 */
import type { Architecture, ArchitectureSpace } from '../../../core/nas/architecture-space.ts'
import { isTrialCompleted } from '../../../core/trial.ts'
import { rngForSuggestion } from '../../rng-for-suggestion.ts'
import type { Direction } from '../../suggester.ts'
import type { ArchitectureTrial, NasSuggester, NasSuggestRequest, NasSuggestResult } from '../nas-suggester.ts'
import { controllerLayout } from './controller-layout.ts'
import { sampleArchitecture, type ControllerConfig } from './controller-pass.ts'
import { decodeEnasState, encodeEnasState, freshEnasState, type EnasState } from './enas-state.ts'
import { trainController, type RewardedArchitecture, type TrainingSettings } from './train-controller.ts'

export interface EnasOptions extends TrainingSettings {
  readonly hiddenSize: number
  readonly temperature: number | null
  readonly tanhConst: number | null
  readonly skipTarget: number
}

export class EnasSuggester implements NasSuggester {
  constructor(private readonly options: EnasOptions) {}

  suggest(request: NasSuggestRequest): NasSuggestResult {
    const { space } = request
    if (space.numLayers < 1 || space.operations.length === 0) return { architectures: [], state: request.state }
    const layout = controllerLayout(this.options.hiddenSize, space.numLayers, space.operations.length)
    const state = decodeEnasState(request.state, layout) ?? freshEnasState(layout, request.rng)
    const config: ControllerConfig = {
      temperature: this.options.temperature,
      tanhConst: this.options.tanhConst,
      skipTarget: this.options.skipTarget,
    }
    trainController(state, layout, config, this.options, newResults(request.trials, state, space, request.direction))
    const architectures: Architecture[] = []
    for (let index = 0; index < request.count; index++) {
      architectures.push(sampleArchitecture(state.weights, layout, config, rngForSuggestion(request, index)))
    }
    return { architectures, state: encodeEnasState(state, layout) }
  }
}

/**
 * The rewards of the trials that completed since the state last looked, in trial order;
 * marks every completed trial as seen, whether it gives a reward or not.
 */
export function newResults(
  trials: readonly ArchitectureTrial[], state: EnasState, space: ArchitectureSpace, direction: Direction,
): RewardedArchitecture[] {
  const batch: RewardedArchitecture[] = []
  for (const trial of trials) {
    if (trial.number < state.learnedBelow || state.learned.has(trial.number) || !isTrialCompleted(trial.state)) continue
    state.learned.add(trial.number)
    const objective = trial.objective
    if (trial.state === 'Succeeded' && objective !== undefined && Number.isFinite(objective) && fitsSpace(trial.architecture, space)) {
      batch.push({ architecture: trial.architecture, reward: direction === 'minimize' ? -objective : objective })
      state.trialsLearned++
    } else {
      state.trialsIgnored++
    }
  }
  while (state.learned.delete(state.learnedBelow)) state.learnedBelow++
  return batch
}

function fitsSpace(architecture: Architecture, space: ArchitectureSpace): boolean {
  if (!Array.isArray(architecture) || architecture.length !== space.numLayers) return false
  return architecture.every((row, layer) =>
    Array.isArray(row) && row.length === layer + 1 &&
    Number.isInteger(row[0]) && row[0]! >= 0 && row[0]! < space.operations.length &&
    row.slice(1).every((skip) => skip === 0 || skip === 1))
}
