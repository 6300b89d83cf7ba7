import { Matrix } from 'ml-matrix'
import { NasArgumentError, type Architecture, type NnConfig, type NnOperation } from './katib-nas-args.ts'
import { Adam } from './adam.ts'
import type { SeededRandom } from './seeded-random.ts'

/**
 * The network an architecture describes, built as Katib's ENAS trial (ModelConstructor.py)
 * builds its own: layer i reads the previous layer's output (the image for layer 0) and, for
 * each skip bit j set, the output of layer j - 1 (bit 0: the image itself), concatenated; the
 * last layer feeds a softmax classifier. Where Katib's layers are convolutions over images, ours
 * are fully connected layers over the 64 pixels, the one operation type this example's nasConfig
 * offers: `dense` with `units` (its width) and `activation` (relu, tanh or sigmoid).
 * Concatenation needs no padding here, since every output is a flat vector.
 *
 * Trained by backpropagation on ml-matrix with softmax cross-entropy and Adam.
 */
export type Activation = 'relu' | 'tanh' | 'sigmoid'
const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid']

export interface DenseLayer {
  readonly units: number
  readonly activation: Activation
  /** What the layer concatenates: 0 is the image, k + 1 the output of layer k. */
  readonly sources: readonly number[]
}

/** The layers of an architecture, or an error that says which operation this trial cannot build. */
export function denseLayers(architecture: Architecture, config: NnConfig): DenseLayer[] {
  return architecture.map((layer, i) => {
    const opId = layer[0]!
    const op = config.embedding.get(opId)!
    const where = `--nn_config .embedding["${opId}"]`
    if (op.type !== 'dense') {
      throw new NasArgumentError(`${where}.opt_type is "${op.type}"; this trial builds only "dense" layers (units, activation): change the experiment's nasConfig operations`)
    }
    const sources = [i]
    layer.slice(1).forEach((bit, j) => {
      if (bit === 1) sources.push(j)
    })
    return { units: units(where, op), activation: activation(where, op), sources }
  })
}

function units(where: string, op: NnOperation): number {
  const value = Number(op.params.units)
  if (!Number.isInteger(value) || value < 1 || value > 4096) {
    throw new NasArgumentError(`${where}.opt_params.units must be an integer from 1 to 4096; got ${JSON.stringify(op.params.units)}`)
  }
  return value
}

function activation(where: string, op: NnOperation): Activation {
  const value = op.params.activation
  if (!ACTIVATIONS.includes(value as Activation)) {
    throw new NasArgumentError(`${where}.opt_params.activation must be one of ${ACTIVATIONS.join(', ')}; got ${JSON.stringify(value)}`)
  }
  return value as Activation
}

interface Forward {
  /** Per layer, its concatenated input. */
  readonly inputs: Matrix[]
  /** outputs[0] is the batch, outputs[k + 1] layer k's activations. */
  readonly outputs: Matrix[]
  readonly probabilities: Matrix
}

export interface BatchResult {
  readonly loss: number
  readonly correct: number
}

export class DenseNetwork {
  private readonly weights: Matrix[] = []
  private readonly biases: Matrix[] = []
  private readonly widths: number[]
  private readonly adam: Adam

  constructor(
    readonly layers: readonly DenseLayer[],
    inputWidth: number,
    readonly classes: number,
    random: SeededRandom,
    learningRate: number,
  ) {
    this.widths = [inputWidth, ...layers.map((l) => l.units)]
    const fanIns = layers.map((l) => l.sources.reduce((sum, s) => sum + this.widths[s]!, 0))
    const shapes: [number, number][] = layers.map((l, k) => [fanIns[k]!, l.units])
    shapes.push([this.widths[layers.length]!, classes])
    for (const [rows, columns] of shapes) {
      // Glorot uniform, Keras' default for Dense.
      const limit = Math.sqrt(6 / (rows + columns))
      this.weights.push(Matrix.from1DArray(rows, columns, Array.from({ length: rows * columns }, () => (2 * random.next() - 1) * limit)))
      this.biases.push(Matrix.zeros(1, columns))
    }
    this.adam = new Adam(this.parameters, learningRate)
  }

  get parameterCount(): number {
    return this.parameters.reduce((sum, m) => sum + m.rows * m.columns, 0)
  }

  /** One step of Adam on a mini-batch. */
  trainBatch(x: Matrix, labels: readonly number[]): BatchResult {
    const { result, gradients } = this.gradients(x, labels)
    this.adam.step(gradients)
    return result
  }

  /**
   * The mean cross-entropy's gradient by backpropagation, in the order of `parameters` (every
   * layer's weights, the classifier's, then the biases in the same order).
   */
  gradients(x: Matrix, labels: readonly number[]): { result: BatchResult; gradients: Matrix[] } {
    const forward = this.forward(x)
    const result = score(forward.probabilities, labels)
    const n = labels.length
    // d(mean cross-entropy)/d(logits) = (softmax - one-hot) / n
    const delta = forward.probabilities.clone()
    labels.forEach((label, row) => delta.set(row, label, delta.get(row, label) - 1))
    delta.div(n)
    const weightGrads: Matrix[] = new Array(this.weights.length)
    const biasGrads: Matrix[] = new Array(this.biases.length)
    const last = this.layers.length
    weightGrads[last] = forward.outputs[last]!.transpose().mmul(delta)
    biasGrads[last] = Matrix.rowVector(delta.sum('column'))
    const outputGrads: (Matrix | undefined)[] = new Array(last + 1)
    outputGrads[last] = delta.mmul(this.weights[last]!.transpose())
    for (let k = last - 1; k >= 0; k--) {
      const grad = outputGrads[k + 1]!
      derivativeInPlace(grad, forward.outputs[k + 1]!, this.layers[k]!.activation)
      weightGrads[k] = forward.inputs[k]!.transpose().mmul(grad)
      biasGrads[k] = Matrix.rowVector(grad.sum('column'))
      if (this.layers[k]!.sources.every((s) => s === 0)) continue
      const inputGrad = grad.mmul(this.weights[k]!.transpose())
      let offset = 0
      for (const source of this.layers[k]!.sources) {
        const width = this.widths[source]!
        if (source > 0) {
          const part = inputGrad.subMatrix(0, n - 1, offset, offset + width - 1)
          outputGrads[source] = outputGrads[source] ? outputGrads[source]!.add(part) : part
        }
        offset += width
      }
    }
    return { result, gradients: [...weightGrads, ...biasGrads] }
  }

  /** The trained matrices themselves (Adam updates them in place). */
  get parameters(): readonly Matrix[] {
    return [...this.weights, ...this.biases]
  }

  evaluate(x: Matrix, labels: readonly number[]): BatchResult {
    return score(this.forward(x).probabilities, labels)
  }

  private forward(x: Matrix): Forward {
    const inputs: Matrix[] = []
    const outputs: Matrix[] = [x]
    this.layers.forEach((layer, k) => {
      const input = concatColumns(layer.sources.map((s) => outputs[s]!))
      inputs.push(input)
      const z = input.mmul(this.weights[k]!).addRowVector(this.biases[k]!)
      outputs.push(activateInPlace(z, layer.activation))
    })
    const logits = outputs[this.layers.length]!.mmul(this.weights[this.layers.length]!).addRowVector(this.biases[this.layers.length]!)
    return { inputs, outputs, probabilities: softmaxInPlace(logits) }
  }
}

function concatColumns(parts: readonly Matrix[]): Matrix {
  if (parts.length === 1) return parts[0]!
  const out = new Matrix(parts[0]!.rows, parts.reduce((sum, p) => sum + p.columns, 0))
  let offset = 0
  for (const part of parts) {
    out.setSubMatrix(part, 0, offset)
    offset += part.columns
  }
  return out
}

function activateInPlace(z: Matrix, activation: Activation): Matrix {
  const f = activation === 'relu' ? (v: number) => (v > 0 ? v : 0) : activation === 'tanh' ? Math.tanh : (v: number) => 1 / (1 + Math.exp(-v))
  for (let i = 0; i < z.rows; i++) for (let j = 0; j < z.columns; j++) z.set(i, j, f(z.get(i, j)))
  return z
}

/** grad *= f'(z), written with the activation's output a = f(z). */
function derivativeInPlace(grad: Matrix, a: Matrix, activation: Activation): void {
  const d = activation === 'relu' ? (v: number) => (v > 0 ? 1 : 0) : activation === 'tanh' ? (v: number) => 1 - v * v : (v: number) => v * (1 - v)
  for (let i = 0; i < grad.rows; i++) for (let j = 0; j < grad.columns; j++) grad.set(i, j, grad.get(i, j) * d(a.get(i, j)))
}

function softmaxInPlace(logits: Matrix): Matrix {
  for (let i = 0; i < logits.rows; i++) {
    const row = logits.getRow(i)
    const max = Math.max(...row)
    const exps = row.map((v) => Math.exp(v - max))
    const sum = exps.reduce((a, b) => a + b, 0)
    logits.setRow(i, exps.map((e) => e / sum))
  }
  return logits
}

function score(probabilities: Matrix, labels: readonly number[]): BatchResult {
  let loss = 0
  let correct = 0
  labels.forEach((label, i) => {
    loss -= Math.log(Math.max(probabilities.get(i, label), 1e-12))
    if (probabilities.maxRowIndex(i)[1] === label) correct++
  })
  return { loss: loss / labels.length, correct }
}
