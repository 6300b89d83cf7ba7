import { Matrix } from 'ml-matrix'
import type { Dataset } from './dataset.ts'

/**
 * L2-regularised logistic regression on polynomial features, trained by full-batch gradient
 * descent with ml-matrix. Small enough to train in well under a second per trial.
 */
export interface TrainOptions {
  readonly learningRate: number
  readonly l2: number
  readonly degree: number
  readonly epochs: number
}

export interface EpochResult {
  readonly epoch: number
  readonly trainLoss: number
  readonly loss: number
  readonly accuracy: number
}

export function* train(data: { train: Dataset; validation: Dataset }, options: TrainOptions): Generator<EpochResult> {
  const expand = polynomialFeatures(options.degree)
  const trainX = standardise(new Matrix(data.train.x.map(expand)))
  const validX = trainX.apply(new Matrix(data.validation.x.map(expand)))
  const trainY = Matrix.columnVector(data.train.y)
  let w = Matrix.zeros(trainX.matrix.columns, 1)
  let b = 0
  const n = trainX.matrix.rows
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const p = predict(trainX.matrix, w, b)
    const error = Matrix.sub(p, trainY)
    const gradW = trainX.matrix.transpose().mmul(error).div(n).add(Matrix.mul(w, options.l2))
    const gradB = error.sum() / n
    w = Matrix.sub(w, gradW.mul(options.learningRate))
    b -= options.learningRate * gradB
    yield {
      epoch,
      trainLoss: logLoss(predict(trainX.matrix, w, b), data.train.y),
      loss: logLoss(predict(validX, w, b), data.validation.y),
      accuracy: accuracy(predict(validX, w, b), data.validation.y),
    }
  }
}

function predict(x: Matrix, w: Matrix, b: number): Matrix {
  return sigmoidAll(x.mmul(w).add(b))
}

function sigmoidAll(z: Matrix): Matrix {
  const out = z.clone()
  for (let i = 0; i < out.rows; i++) out.set(i, 0, 1 / (1 + Math.exp(-out.get(i, 0))))
  return out
}

function logLoss(p: Matrix, y: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p.get(i, 0), 1e-12), 1 - 1e-12)
    sum -= y[i] === 1 ? Math.log(q) : Math.log(1 - q)
  }
  return sum / y.length
}

function accuracy(p: Matrix, y: readonly number[]): number {
  let hits = 0
  for (let i = 0; i < y.length; i++) if ((p.get(i, 0) >= 0.5 ? 1 : 0) === y[i]) hits++
  return hits / y.length
}

function polynomialFeatures(degree: number): (x: readonly number[]) => number[] {
  return ([a, b]) => {
    const out: number[] = []
    for (let d = 1; d <= degree; d++) for (let i = 0; i <= d; i++) out.push(a! ** (d - i) * b! ** i)
    return out
  }
}

/** Scales columns with the training set's mean and spread; `apply` reuses them on new data. */
function standardise(x: Matrix): { matrix: Matrix; apply(other: Matrix): Matrix } {
  const mean = x.mean('column')
  const std = x.standardDeviation('column', { mean }).map((s) => s || 1)
  const scale = (m: Matrix) => {
    const out = m.clone()
    for (let j = 0; j < out.columns; j++) for (let i = 0; i < out.rows; i++) out.set(i, j, (out.get(i, j) - mean[j]!) / std[j]!)
    return out
  }
  return { matrix: scale(x), apply: scale }
}
