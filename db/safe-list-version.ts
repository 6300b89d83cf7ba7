/**
 * The highest id at or below `latest` with no possibly-late gap under it. A missing id counts
 * when the change just above it is young: it was drawn before that change, which is recent, so
 * its transaction may still commit. A gap under an old change is taken for a rolled-back
 * transaction, for ever empty, as the watch hub takes a gap it has waited out (its grace).
 * `present` is ascending, within (from, latest].
 */
export function safeVersion(from: number, latest: number, present: readonly { id: number; young: boolean }[]): number {
  let safe = latest
  let expected = latest
  let aboveYoung = false
  for (let i = present.length - 1; i >= -1; i--) {
    const id = i >= 0 ? present[i]!.id : from
    // The ids between this one and the change above it are missing.
    if (id < expected && aboveYoung) safe = id
    aboveYoung = i >= 0 && present[i]!.young
    expected = id - 1
  }
  return safe
}
