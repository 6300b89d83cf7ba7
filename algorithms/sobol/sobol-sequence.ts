/**
 * The Sobol' sequence (I. M. Sobol', "On the distribution of points in a cube and the
 * approximate evaluation of integrals", USSR Comput. Math. Math. Phys. 7(4), 1967) in base 2
 * with 32-bit precision, direction numbers from S. Joe & F. Y. Kuo, "Constructing Sobol
 * sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30(5), 2008
 * (file new-joe-kuo-6.21201), first SOBOL_MAX_DIMENSIONS dimensions.
 *
 * Point `i` is computed directly from the Gray code of `i` (Antonov & Saleev's ordering: the
 * XOR of the direction numbers of the set bits of i ^ (i >> 1)), so any index can be read
 * without generating the ones before it; this is the same sequence as the usual recurrence
 * x_{i+1} = x_i ^ v_{c(i)}, and scipy's `qmc.Sobol(scramble=False)`.
 *
 * Scrambling is a random digital shift: each coordinate's 32-bit word is XORed with a fixed
 * per-dimension random word. Unscrambled, point 0 is the corner (0, …, 0) and point 1 the
 * centre (½, …, ½); the shift moves them to random places. It keeps every (t, m, s)-net
 * property of the sequence (an XOR with a constant permutes the elementary intervals of each
 * size), so the first 2^k points still hit every 1/2^k cell of each dimension exactly once. It
 * is cheaper and simpler than Owen's nested scrambling or Matoušek's linear matrix scrambling
 * (used by scipy), at the price of a weaker randomisation: all shifted points move together.
 */

export const SOBOL_MAX_DIMENSIONS = 64
export const SOBOL_MAX_INDEX = 2 ** 32 - 1
const BITS = 32

/**
 * Dimensions 2..64 of new-joe-kuo-6.21201, one entry each: `s a m_1 … m_s`, where s is the
 * degree of the primitive polynomial, a encodes its inner coefficients (bit s−2 … bit 0 for
 * x^{s−1} … x^1) and m_k are the initial direction integers (odd, m_k < 2^k). Dimension 1 is
 * the van der Corput sequence (all m_k = 1) and has no entry.
 */
const JOE_KUO: readonly string[] = [
  '1 0 1', '2 1 1 3', '3 1 1 3 1', '3 2 1 1 1', '4 1 1 1 3 3', '4 4 1 3 5 13', '5 2 1 1 5 5 17',
  '5 4 1 1 5 5 5', '5 7 1 1 7 11 19', '5 11 1 1 5 1 1', '5 13 1 1 1 3 11', '5 14 1 3 5 5 31',
  '6 1 1 3 3 9 7 49', '6 13 1 1 1 15 21 21', '6 16 1 3 1 13 27 49', '6 19 1 1 1 15 7 5', '6 22 1 3 1 15 13 25',
  '6 25 1 1 5 5 19 61', '7 1 1 3 7 11 23 15 103', '7 4 1 3 7 13 13 15 69', '7 7 1 1 3 13 7 35 63',
  '7 8 1 3 5 9 1 25 53', '7 14 1 3 1 13 9 35 107', '7 19 1 3 1 5 27 61 31', '7 21 1 1 5 11 19 41 61',
  '7 28 1 3 5 3 3 13 69', '7 31 1 1 7 13 1 19 1', '7 32 1 3 7 5 13 19 59', '7 37 1 1 3 9 25 29 41',
  '7 41 1 3 5 13 23 1 55', '7 42 1 3 7 3 13 59 17', '7 50 1 3 1 3 5 53 69', '7 55 1 1 5 5 23 33 13',
  '7 56 1 1 7 7 1 61 123', '7 59 1 1 7 9 13 61 49', '7 62 1 3 3 5 3 55 33', '8 14 1 3 1 15 31 13 49 245',
  '8 21 1 3 5 15 31 59 63 97', '8 22 1 3 1 11 11 11 77 249', '8 38 1 3 1 11 27 43 71 9',
  '8 47 1 1 7 15 21 11 81 45', '8 49 1 3 7 3 25 31 65 79', '8 50 1 3 1 1 19 11 3 205',
  '8 52 1 1 5 9 19 21 29 157', '8 56 1 3 7 11 1 33 89 185', '8 67 1 3 3 3 15 9 79 71',
  '8 70 1 3 7 11 15 39 119 27', '8 84 1 1 3 1 11 31 97 225', '8 97 1 1 1 3 23 43 57 177',
  '8 103 1 3 7 7 17 17 37 71', '8 115 1 3 1 5 27 63 123 213', '8 122 1 1 3 5 11 43 53 133',
  '9 8 1 3 5 5 29 17 47 173 479', '9 13 1 3 3 11 3 1 109 9 69', '9 16 1 1 1 5 17 39 23 5 343',
  '9 22 1 3 1 5 25 15 31 103 499', '9 25 1 1 1 11 11 17 63 105 183', '9 44 1 1 5 11 9 29 97 231 363',
  '9 47 1 1 5 15 19 45 41 7 383', '9 52 1 3 7 7 31 19 83 137 221', '9 55 1 1 1 3 23 15 111 223 83',
  '9 59 1 1 5 13 31 15 55 25 161', '9 62 1 1 3 13 25 47 39 87 257',
]

let directionCache: readonly Uint32Array[] = []

/** 32 direction numbers v_1 … v_32 (as integers scaled by 2^32) for each of the first `dimensions` dimensions. */
export function sobolDirections(dimensions: number): readonly Uint32Array[] {
  if (!Number.isInteger(dimensions) || dimensions < 0 || dimensions > SOBOL_MAX_DIMENSIONS) {
    throw new RangeError(`a Sobol sequence has 0 to ${SOBOL_MAX_DIMENSIONS} dimensions here, got ${dimensions}`)
  }
  if (directionCache.length < dimensions) {
    directionCache = Array.from({ length: SOBOL_MAX_DIMENSIONS }, (_, d) => directionsOf(d))
  }
  return directionCache.slice(0, dimensions)
}

function directionsOf(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS)
  if (dimension === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k)
    return v
  }
  const [s, a, ...m] = JOE_KUO[dimension - 1]!.split(' ').map(Number) as [number, number, ...number[]]
  for (let k = 0; k < BITS; k++) {
    if (k < s) {
      v[k] = (m[k]! * 2 ** (BITS - 1 - k)) >>> 0
      continue
    }
    // v_k = a_1 v_{k−1} ⊕ a_2 v_{k−2} ⊕ … ⊕ a_{s−1} v_{k−s+1} ⊕ v_{k−s} ⊕ (v_{k−s} >> s)
    let value = v[k - s]! ^ (v[k - s]! >>> s)
    for (let j = 1; j < s; j++) {
      if ((a >>> (s - 1 - j)) & 1) value ^= v[k - j]!
    }
    v[k] = value >>> 0
  }
  return v
}

/** The first `dimensions` coordinates of Sobol point `index`, as 32-bit words (coordinate · 2^32). */
export function sobolWords(index: number, dimensions: number): number[] {
  if (!Number.isInteger(index) || index < 0 || index > SOBOL_MAX_INDEX) {
    throw new RangeError(`Sobol index must be an integer in [0, ${SOBOL_MAX_INDEX}], got ${index}`)
  }
  const directions = sobolDirections(dimensions)
  const words = new Array<number>(dimensions).fill(0)
  // Gray code of the index, as unsigned 32 bits.
  const gray = (index ^ Math.floor(index / 2)) >>> 0
  for (let bit = 0; bit < BITS; bit++) {
    if (((gray >>> bit) & 1) === 0) continue
    for (let d = 0; d < dimensions; d++) words[d] = (words[d]! ^ directions[d]![bit]!) >>> 0
  }
  return words
}

/**
 * Sobol point `index` in [0, 1)^dimensions. With `shift` (one 32-bit word per dimension), the
 * digitally shifted point: each coordinate's word is XORed with its shift word.
 */
export function sobolPoint(index: number, dimensions: number, shift?: readonly number[]): number[] {
  if (shift !== undefined && shift.length < dimensions) {
    throw new RangeError(`digital shift needs ${dimensions} words, got ${shift.length}`)
  }
  return sobolWords(index, dimensions).map((word, d) => ((shift === undefined ? word : (word ^ shift[d]!) >>> 0)) / 2 ** BITS)
}
