/**
 * The indices of `values` in ascending order, ties in index order (a stable argsort), for
 * values known to lie in [low, high].
 *
 * TPE sorts every numeric dimension of every trial on every suggestion (for the neighbour
 * bandwidths), and with thousands of trials a comparison sort dominated its latency (V8's
 * typed-array sort and comparator sorts alike). Here values become 24-bit keys by their
 * position in [low, high] and are ordered by a stable LSD radix sort in two passes, O(n).
 * Keys merge values closer than (high − low)·2⁻²⁴, which the bandwidths cannot notice: their
 * floor is over 10⁵ times wider. Small inputs use an exact insertion sort.
 */
const KEY_BITS = 24
const RADIX_BITS = 12
const BUCKETS = 1 << RADIX_BITS
const MASK = BUCKETS - 1
const INSERTION_LIMIT = 64

export function sortedOrder(values: Float64Array, low: number, high: number): Int32Array {
  const n = values.length
  let order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  if (n < INSERTION_LIMIT) return insertionOrder(values, order)
  const keys = new Uint32Array(n)
  const top = 2 ** KEY_BITS - 1
  const scale = high > low ? top / (high - low) : 0
  for (let i = 0; i < n; i++) keys[i] = Math.min(Math.max((values[i]! - low) * scale, 0), top) >>> 0
  let next = new Int32Array(n)
  const counts = new Int32Array(BUCKETS)
  for (let shift = 0; shift < KEY_BITS; shift += RADIX_BITS) {
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[(keys[order[i]!]! >>> shift) & MASK]!++
    let sum = 0
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[b]!
      counts[b] = sum
      sum += c
    }
    for (let i = 0; i < n; i++) {
      const index = order[i]!
      next[counts[(keys[index]! >>> shift) & MASK]!++] = index
    }
    const swap = order
    order = next
    next = swap
  }
  return order
}

function insertionOrder(values: Float64Array, order: Int32Array): Int32Array {
  for (let i = 1; i < order.length; i++) {
    const index = order[i]!
    const v = values[index]!
    let j = i - 1
    while (j >= 0 && values[order[j]!]! > v) {
      order[j + 1] = order[j]!
      j--
    }
    order[j + 1] = index
  }
  return order
}
