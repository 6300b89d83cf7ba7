/**
 * Seeded PRNG: xoshiro128** (Blackman & Vigna). Small, fast, and its whole state is four
 * uint32s, so an algorithm can persist it and resume bit-for-bit after a restart.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** Standard normal. */
  normal(): number
  state(): readonly number[]
}

export function createRng(seed: number | readonly number[]): Rng {
  const s = Array.isArray(seed) ? Uint32Array.from(seed as number[]) : seedState(seed as number)
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0
    const t = s[1]! << 9
    s[2]! ^= s[0]!
    s[3]! ^= s[1]!
    s[1]! ^= s[2]!
    s[0]! ^= s[3]!
    s[2]! ^= t
    s[3] = rotl(s[3]!, 11)
    return result
  }
  const next = (): number => (nextU32() * 2 ** 21 + (nextU32() >>> 11)) / 2 ** 53
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      // Box-Muller; 1 - u keeps the log argument in (0, 1].
      const u = 1 - next()
      const v = next()
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    },
    state: () => Array.from(s),
  }
}

/**
 * Mixes an experiment seed with a counter (a trial number) into the seed of an independent
 * stream: trial n of an experiment draws from `createRng(deriveSeed(seed, n))` whatever else
 * was asked in the same call (see `trialRngs`).
 */
export function deriveSeed(seed: number, counter: number): number {
  return splitmix32(splitmix32(seed >>> 0) ^ (counter >>> 0))
}

/**
 * One stream per trial number from `first` on, created when first asked for and then reused,
 * so drawing twice for the same trial continues its stream. `streamOf(first)` is the stream a
 * call at `first` trials always had, which keeps one-trial asks drawing what they drew before.
 */
export function trialRngs(seed: number, first: number): { readonly streamOf: (number: number) => Rng } {
  const streams = new Map<number, Rng>()
  return {
    streamOf: (number) => {
      let rng = streams.get(number)
      if (rng === undefined) {
        rng = createRng(deriveSeed(seed, number))
        streams.set(number, rng)
      }
      return rng
    },
  }
}

function seedState(seed: number): Uint32Array {
  const out = new Uint32Array(4)
  let x = seed >>> 0
  for (let i = 0; i < 4; i++) {
    x = splitmix32(x + i)
    out[i] = x
  }
  if (out.every((v) => v === 0)) out[0] = 1
  return out
}

function splitmix32(a: number): number {
  a = (a + 0x9e3779b9) >>> 0
  let z = a
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
  return (z ^ (z >>> 16)) >>> 0
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}
