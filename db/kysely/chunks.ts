/**
 * PostgreSQL's wire protocol counts a statement's parameters in 16 bits (PGlite misreads more
 * than 32,767 without an error), so multi-row inserts go in chunks of `rowsPerChunk` rows:
 * pick it so that rows times parameters per row stays near 20,000.
 */
export function chunks<T>(items: readonly T[], rowsPerChunk: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += rowsPerChunk) out.push(items.slice(i, i + rowsPerChunk))
  return out
}
