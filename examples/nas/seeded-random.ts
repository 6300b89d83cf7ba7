/**
 * A small seeded generator (mulberry32) for weight initialisation, the data split and the batch
 * order, so a trial run twice with the same flags prints the same accuracies.
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number
  /** Fisher-Yates shuffle, in place. */
  shuffle<T>(items: T[]): T[]
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  return {
    next,
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1))
        ;[items[i], items[j]] = [items[j]!, items[i]!]
      }
      return items
    },
  }
}
