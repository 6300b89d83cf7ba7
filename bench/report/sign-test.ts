/**
 * Two-sided exact sign test: the probability, if wins and losses were equally likely, of a split
 * at least as lopsided as `wins` to `losses` (ties dropped beforehand).
 */
export function signTestP(wins: number, losses: number): number {
  const n = wins + losses
  if (n === 0) return 1
  const k = Math.min(wins, losses)
  let tail = 0
  let term = 0.5 ** n // C(n, 0) / 2^n
  for (let i = 0; i <= k; i++) {
    tail += term
    term = (term * (n - i)) / (i + 1)
  }
  return Math.min(1, 2 * tail)
}
