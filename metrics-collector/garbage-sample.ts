/** Shortens a rejected line for messages; logs can contain megabyte-long lines. */
export function garbageSample(line: string): string {
  const s = line.trim()
  return s.length > 200 ? s.slice(0, 200) + '…' : s
}
