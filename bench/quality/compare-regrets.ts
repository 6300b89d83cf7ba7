import { formatNumber } from '../report/format-number.ts'
import { signTestP } from '../report/sign-test.ts'
import type { Summary } from '../report/summarize.ts'

export interface Comparison {
  /** Our median over theirs; < 1 means ours is better. Undefined when it has no meaning. */
  readonly ratio: number | undefined
  /** Seeds (same seed number, independent RNGs) where ours ended lower / higher. */
  readonly wins: number
  readonly losses: number
  /** e.g. "0.51× 14–6*". */
  readonly text: string
}

/**
 * Our regrets against Optuna's for one cell: the ratio of medians and the seed-by-seed tally,
 * starred when a two-sided sign test gives p < 0.05. Seeds with the same number are independent
 * runs (the RNGs differ), so the tally is a sign test on independent pairs, not a matched one.
 */
export function compareRegrets(ours: Summary, theirs: Summary, seeds: readonly number[]): Comparison {
  let wins = 0
  let losses = 0
  seeds.forEach((seed, i) => {
    const a = ours.per_seed[i]
    const b = theirs.per_seed[seed]
    if (a === null || a === undefined || b === null || b === undefined) return
    if (a < b) wins++
    else if (a > b) losses++
  })
  const ratio = ratioOf(ours.median, theirs.median)
  const ratioText = ours.median === null ? 'error' : ratio === undefined ? (ours.median === 0 ? '=' : '∞') : `${formatNumber(ratio)}×`
  const star = signTestP(wins, losses) < 0.05 ? '*' : ''
  return { ratio, wins, losses, text: `${ratioText} ${wins}–${losses}${star}` }
}

function ratioOf(ours: number | null, theirs: number | null): number | undefined {
  if (ours === null || theirs === null || theirs === 0) return undefined
  return ours / theirs
}
