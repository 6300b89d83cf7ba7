/** A TCP port from text (0 = any free one), or undefined when it is not one. */
export function parsePort(text: string): number | undefined {
  const port = Number(text)
  return /^\d+$/.test(text.trim()) && port >= 0 && port <= 65535 ? port : undefined
}
