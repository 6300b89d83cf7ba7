/** Shared by the benchmarks' argument parsers, so every flag is checked and worded alike. */

export function positiveInteger(flag: string, text: string): number {
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got "${text}"`)
  return value
}

/** `a, b,,c` → ['a', 'b', 'c']. */
export function commaList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/** `--flag 25,50,100` as positive integers. */
export function positiveIntegerList(flag: string, text: string): number[] {
  return commaList(text).map((item) => positiveInteger(flag, item))
}
