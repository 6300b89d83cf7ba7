/**
 * The pattern match of gjson's `%` query operator and of wildcard keys (github.com/tidwall/match):
 * `*` any run of characters, `?` any one character, `\c` the character c. Compared by code point,
 * as Go compares runes. A table, not backtracking, so no pattern can take exponential time.
 */
export function globMatch(text: string, pattern: string): boolean {
  if (pattern === '*') return true
  const s = Array.from(text)
  const tokens: Array<{ kind: 'any' | 'one' | 'char'; char?: string }> = []
  const p = Array.from(pattern)
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '*') tokens.push({ kind: 'any' })
    else if (p[i] === '?') tokens.push({ kind: 'one' })
    else if (p[i] === '\\') {
      // A trailing backslash escapes nothing, and matches nothing.
      if (i + 1 >= p.length) return false
      tokens.push({ kind: 'char', char: p[++i] })
    } else tokens.push({ kind: 'char', char: p[i] })
  }
  // row[j]: whether the first j characters of the text match the tokens seen so far.
  let row: boolean[] = Array.from({ length: s.length + 1 }, (_, j) => j === 0)
  for (const token of tokens) {
    const next = new Array<boolean>(s.length + 1).fill(false)
    if (token.kind === 'any') {
      let seen = false
      for (let j = 0; j <= s.length; j++) {
        seen ||= row[j]
        next[j] = seen
      }
    } else {
      for (let j = 1; j <= s.length; j++) next[j] = row[j - 1] && (token.kind === 'one' || s[j - 1] === token.char)
    }
    row = next
  }
  return row[s.length]
}
