import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { seededRandom } from './seeded-random.ts'

/**
 * The handwritten digits 8x8 of the UCI "Optical Recognition of Handwritten Digits" data set
 * (1,797 images, CC BY 4.0; see README.md), as scikit-learn ships it in digits.csv.gz: per line
 * 64 pixel counts 0..16, row by row, then the digit.
 */
export interface Digits {
  /** Pixels scaled to [0, 1], one row of 64 per image. */
  readonly x: number[][]
  readonly y: number[]
}

export const DIGIT_PIXELS = 64
export const DIGIT_CLASSES = 10

export function loadDigits(file = new URL('./digits.csv.gz', import.meta.url)): Digits {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter((line) => line.trim() !== '')
  const x: number[][] = []
  const y: number[] = []
  lines.forEach((line, index) => {
    const values = line.split(',').map(Number)
    const label = values[DIGIT_PIXELS]
    if (values.length !== DIGIT_PIXELS + 1 || values.some((v) => !Number.isFinite(v)) || !Number.isInteger(label) || label! < 0 || label! >= DIGIT_CLASSES) {
      throw new Error(`digits.csv.gz:${index + 1}: expected ${DIGIT_PIXELS} pixel counts and a digit 0-9, got "${line.slice(0, 60)}"`)
    }
    x.push(values.slice(0, DIGIT_PIXELS).map((v) => v / 16))
    y.push(label!)
  })
  return { x, y }
}

/**
 * The same split for every trial (its own seed, not the trial's), so accuracies of different
 * architectures are measured on the same validation images.
 */
export function splitDigits(data: Digits, validationFraction = 0.2, seed = 20180209): { train: Digits; validation: Digits } {
  const order = seededRandom(seed).shuffle(data.x.map((_, i) => i))
  const cut = Math.round(order.length * (1 - validationFraction))
  const pick = (indices: number[]): Digits => ({ x: indices.map((i) => data.x[i]!), y: indices.map((i) => data.y[i]!) })
  return { train: pick(order.slice(0, cut)), validation: pick(order.slice(cut)) }
}
