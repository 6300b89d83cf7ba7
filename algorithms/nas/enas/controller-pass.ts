import type { Architecture } from '../../../core/nas/architecture-space.ts'
import type { Rng } from '../../../core/rng.ts'
import type { ControllerLayout, Weights } from './controller-layout.ts'
import { lstmBackward, lstmForward, sigmoid, type LstmStep } from './lstm-cell.ts'

/**
 * One pass of the ENAS macro-search controller (Pham et al. 2018, §2.3; Katib's
 * Controller._build_sampler) over the layers of an architecture, and its backward pass.
 *
 * Per layer: an LSTM step on the layer's input gives operation logits; the operation is chosen
 * and its embedding is the input of a second step; from layer 1 on, that step's hidden state
 * queries every earlier layer's anchor (attention: v·tanh(W2·h + W1·anchor_j)) for one skip
 * logit q_j each, and the skip is chosen from the logits [-q_j, q_j]. The next layer's input
 * is the mean of the chosen anchors (divided by 1 + their number), or g_emb after layer 0; the
 * second step's hidden state becomes this layer's anchor.
 *
 * Each logit vector goes through `squash`: divided by the temperature, then C·tanh(·), each
 * step skipped when its setting is None, as Katib. Two of Katib's quirks are kept, because
 * they shape what its settings mean: a skip is sampled with P(1) = sigmoid(2·s) (a softmax
 * over [-s, s]), while the skip penalty reads sigmoid(s) as that probability; and the entropy
 * term is, per choice, -log p · p of the chosen value, not the distribution's entropy.
 */
export interface ControllerConfig {
  /** None (null): logits are not divided. */
  readonly temperature: number | null
  /** None (null): no tanh squashing. */
  readonly tanhConst: number | null
  /** The skip probability the KL penalty pulls towards. */
  readonly skipTarget: number
}

/** What a pass computed, and what its backward pass needs. */
export interface ControllerPass {
  readonly architecture: Architecture
  /** Σ log p of every choice made. */
  readonly logProb: number
  /** Katib's entropy term: Σ over choices of (-log p)·p. */
  readonly entropy: number
  /** Σ over layers ≥ 1 of the KL of their skips against the target (Katib averages it over those layers). */
  readonly skipKl: number
  readonly skipCount: number
  readonly tape: readonly LayerTape[]
}

interface LayerTape {
  readonly stepA: LstmStep
  /** Operation logits before squashing. */
  readonly opZ: Float64Array
  readonly opProbs: Float64Array
  readonly op: number
  readonly stepB: LstmStep
  /** W1·anchor of this layer, read by every later layer's attention. */
  readonly anchorW1: Float64Array
  /** tanh(W2·h + W1·anchor_j) for each earlier layer j, row by row (j·H). */
  readonly attention: Float64Array
  /** Skip logits q_j before squashing. */
  readonly skipQ: Float64Array
  readonly skips: readonly number[]
}

/** How each choice is made: drawn (sampling) or read from a given architecture (scoring). */
interface Chooser {
  op(layer: number, probs: Float64Array): number
  skip(layer: number, earlier: number, probability: number): number
}

export function sampleArchitecture(weights: Weights, layout: ControllerLayout, config: ControllerConfig, rng: Rng): Architecture {
  return runPass(weights, layout, config, {
    op: (_layer, probs) => {
      const u = rng.next()
      let total = 0
      for (let k = 0; k < probs.length; k++) {
        total += probs[k]!
        if (u < total) return k
      }
      return probs.length - 1
    },
    skip: (_layer, _earlier, probability) => (rng.next() < probability ? 1 : 0),
  }).architecture
}

/** The pass that would have produced `architecture` (it must fit the layout). */
export function scoreArchitecture(weights: Weights, layout: ControllerLayout, config: ControllerConfig, architecture: Architecture): ControllerPass {
  return runPass(weights, layout, config, {
    op: (layer) => architecture[layer]![0]!,
    skip: (layer, earlier) => architecture[layer]![1 + earlier]!,
  })
}

function runPass(weights: Weights, layout: ControllerLayout, config: ControllerConfig, choose: Chooser): ControllerPass {
  const H = layout.hidden
  const K = layout.numOperations
  let h: Float64Array = new Float64Array(H)
  let c: Float64Array = new Float64Array(H)
  let input: ArrayLike<number> = weights
  let inputOffset = layout.gEmb
  let logProb = 0
  let entropy = 0
  let skipKl = 0
  let skipCount = 0
  const tape: LayerTape[] = []
  const architecture: number[][] = []

  for (let layer = 0; layer < layout.numLayers; layer++) {
    const stepA = lstmForward(weights, layout.wLstm, H, input, inputOffset, h, c)
    const opZ = vectorTimesMatrix(stepA.h, weights, layout.wSoft, K)
    const logits = new Float64Array(K)
    for (let k = 0; k < K; k++) logits[k] = squash(opZ[k]!, config).value
    const { probs: opProbs, logNormaliser } = softmax(logits)
    const op = choose.op(layer, opProbs)
    const opLogP = logits[op]! - logNormaliser
    logProb += opLogP
    entropy += -opLogP * opProbs[op]!

    const stepB = lstmForward(weights, layout.wLstm, H, weights, layout.wEmb + op * H, stepA.h, stepA.c)
    const row = [op]
    const attention = new Float64Array(layer * H)
    const skipQ = new Float64Array(layer)
    if (layer > 0) {
      const query = vectorTimesMatrix(stepB.h, weights, layout.attnW2, H)
      for (let j = 0; j < layer; j++) {
        const anchorW1 = tape[j]!.anchorW1
        let q = 0
        for (let m = 0; m < H; m++) {
          const t = Math.tanh(query[m]! + anchorW1[m]!)
          attention[j * H + m] = t
          q += t * weights[layout.attnV + m]!
        }
        skipQ[j] = q
        const s = squash(q, config).value
        const skip = choose.skip(layer, j, sigmoid(2 * s))
        const chosenLogit = skip === 1 ? 2 * s : -2 * s
        const skipLogP = logSigmoid(chosenLogit)
        logProb += skipLogP
        entropy += -skipLogP * Math.exp(skipLogP)
        skipKl += bernoulliKl(sigmoid(s), config.skipTarget)
        skipCount += skip
        row.push(skip)
      }
    }
    const anchorW1 = vectorTimesMatrix(stepB.h, weights, layout.attnW1, H)
    tape.push({ stepA, opZ, opProbs, op, stepB, anchorW1, attention, skipQ, skips: row.slice(1) })
    architecture.push(row)

    h = stepB.h
    c = stepB.c
    if (layer === 0) {
      input = weights
      inputOffset = layout.gEmb
    } else {
      const mean = new Float64Array(H)
      let chosen = 0
      for (let j = 0; j < layer; j++) {
        if (row[1 + j] !== 1) continue
        chosen++
        const anchor = tape[j]!.stepB.h
        for (let m = 0; m < H; m++) mean[m]! += anchor[m]!
      }
      for (let m = 0; m < H; m++) mean[m]! /= 1 + chosen
      input = mean
      inputOffset = 0
    }
  }
  return { architecture, logProb, entropy, skipKl, skipCount, tape }
}

/**
 * Adds to `grad` the gradient of `logProbWeight · logProb + klWeight · skipKl` of `pass` with
 * respect to the weights (backpropagation through time over the pass's tape).
 */
export function backward(
  weights: Weights, layout: ControllerLayout, config: ControllerConfig, pass: ControllerPass,
  logProbWeight: number, klWeight: number, grad: Float64Array,
): void {
  const H = layout.hidden
  const K = layout.numOperations
  const L = pass.tape.length
  // Gradients reaching each layer's anchor (its second step's h) from later layers: through
  // the mean that forms a later input, and through W1·anchor in later attention.
  const dAnchor = pass.tape.map(() => new Float64Array(H))
  const dAnchorW1 = pass.tape.map(() => new Float64Array(H))
  let dhNext: Float64Array = new Float64Array(H)
  let dcNext: Float64Array = new Float64Array(H)
  // Gradient of the input this layer produced for the next one.
  let dNextInput: Float64Array = new Float64Array(H)

  for (let layer = L - 1; layer >= 0; layer--) {
    const t = pass.tape[layer]!
    if (layer === 0) {
      for (let m = 0; m < H; m++) grad[layout.gEmb + m]! += dNextInput[m]!
    } else {
      let chosen = 0
      for (const skip of t.skips) chosen += skip
      for (let j = 0; j < layer; j++) {
        if (t.skips[j] !== 1) continue
        const dA = dAnchor[j]!
        for (let m = 0; m < H; m++) dA[m]! += dNextInput[m]! / (1 + chosen)
      }
    }

    const dh = Float64Array.from(dhNext)
    const hB = t.stepB.h
    if (layer > 0) {
      const dQuery = new Float64Array(H)
      for (let j = 0; j < layer; j++) {
        const { value: s, slope } = squash(t.skipQ[j]!, config)
        const sign = t.skips[j] === 1 ? 1 : -1
        const dLogP = 2 * sign * (1 - sigmoid(2 * sign * s))
        // d KL / d a = logit(a) - logit(target), and logit(sigmoid(s)) = s.
        const a = sigmoid(s)
        const dKl = a * (1 - a) * (s - Math.log(config.skipTarget / (1 - config.skipTarget)))
        const dq = (logProbWeight * dLogP + klWeight * dKl) * slope
        if (dq === 0) continue
        const dW1 = dAnchorW1[j]!
        for (let m = 0; m < H; m++) {
          const tanh = t.attention[j * H + m]!
          grad[layout.attnV + m]! += tanh * dq
          const dPre = weights[layout.attnV + m]! * dq * (1 - tanh * tanh)
          dQuery[m]! += dPre
          dW1[m]! += dPre
        }
      }
      addOuter(grad, layout.attnW2, hB, dQuery)
      addMatrixTimes(dh, weights, layout.attnW2, dQuery)
    }
    // Every later layer has been processed, so this anchor's gradients are complete.
    addOuter(grad, layout.attnW1, hB, dAnchorW1[layer]!)
    addMatrixTimes(dh, weights, layout.attnW1, dAnchorW1[layer]!)
    const dA = dAnchor[layer]!
    for (let m = 0; m < H; m++) dh[m]! += dA[m]!

    const back = lstmBackward(weights, grad, layout.wLstm, H, t.stepB, dh, dcNext)
    for (let m = 0; m < H; m++) grad[layout.wEmb + t.op * H + m]! += back.dx[m]!

    const dhA = back.dhPrev
    const dz = new Float64Array(K)
    for (let k = 0; k < K; k++) {
      const dLogit = logProbWeight * ((k === t.op ? 1 : 0) - t.opProbs[k]!)
      dz[k] = dLogit * squash(t.opZ[k]!, config).slope
    }
    addOuter(grad, layout.wSoft, t.stepA.h, dz)
    addMatrixTimes(dhA, weights, layout.wSoft, dz)
    const backA = lstmBackward(weights, grad, layout.wLstm, H, t.stepA, dhA, back.dcPrev)
    dNextInput = backA.dx
    dhNext = backA.dhPrev
    dcNext = backA.dcPrev
  }
  // The first step's input is g_emb.
  for (let m = 0; m < H; m++) grad[layout.gEmb + m]! += dNextInput[m]!
}

/** Temperature then C·tanh, each only where set; `slope` is d value / d z. */
function squash(z: number, config: ControllerConfig): { value: number; slope: number } {
  const scale = config.temperature === null ? 1 : 1 / config.temperature
  const u = z * scale
  if (config.tanhConst === null) return { value: u, slope: scale }
  const t = Math.tanh(u)
  return { value: config.tanhConst * t, slope: config.tanhConst * (1 - t * t) * scale }
}

/** The probabilities, and log Σ exp(logits) for exact log-probabilities where one underflows. */
function softmax(logits: Float64Array): { probs: Float64Array; logNormaliser: number } {
  let max = -Infinity
  for (const v of logits) if (v > max) max = v
  const probs = new Float64Array(logits.length)
  let sum = 0
  for (let k = 0; k < logits.length; k++) {
    probs[k] = Math.exp(logits[k]! - max)
    sum += probs[k]!
  }
  for (let k = 0; k < logits.length; k++) probs[k]! /= sum
  return { probs, logNormaliser: max + Math.log(sum) }
}

function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x))
}

/** KL(Bernoulli(p) ‖ Bernoulli(target)), as Katib sums skip_prob·log(skip_prob / targets). */
function bernoulliKl(p: number, target: number): number {
  const term = (x: number, y: number) => (x === 0 ? 0 : x * Math.log(x / y))
  return term(1 - p, 1 - target) + term(p, target)
}

/** v (H) times the H × cols block of `w` at `offset`. */
function vectorTimesMatrix(v: Float64Array, w: Weights, offset: number, cols: number): Float64Array {
  const out = new Float64Array(cols)
  for (let k = 0; k < v.length; k++) {
    const x = v[k]!
    if (x === 0) continue
    const row = offset + k * cols
    for (let j = 0; j < cols; j++) out[j]! += x * w[row + j]!
  }
  return out
}

/** out (rows) += block · d, the block rows × d.length at `offset`: the gradient of v·block back to v. */
function addMatrixTimes(out: Float64Array, w: Weights, offset: number, d: Float64Array): void {
  const cols = d.length
  for (let k = 0; k < out.length; k++) {
    const row = offset + k * cols
    let acc = 0
    for (let j = 0; j < cols; j++) acc += w[row + j]! * d[j]!
    out[k]! += acc
  }
}

/** grad block (v.length × d.length at `offset`) += vᵀ·d. */
function addOuter(grad: Float64Array, offset: number, v: Float64Array, d: Float64Array): void {
  const cols = d.length
  for (let k = 0; k < v.length; k++) {
    const x = v[k]!
    if (x === 0) continue
    const row = offset + k * cols
    for (let j = 0; j < cols; j++) grad[row + j]! += x * d[j]!
  }
}
