/**
 * Parses a Katib bound the way its Python services do (`float()` / `int()`), not the way
 * JavaScript's Number() does: "", " ", "0x10" and "1_000" are not numbers there.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const INTEGER = /^[+-]?\d+$/

export function parseKatibNumber(text: string, integer = false): number | undefined {
  const trimmed = text.trim()
  if (!(integer ? INTEGER : DECIMAL).test(trimmed)) return undefined
  const value = Number(trimmed)
  return Number.isFinite(value) ? value : undefined
}
