/**
 * Stand-ins for substituted values while a trial's command is still being parsed. Kubernetes'
 * `$(VAR)` expansion and the shell's quoting apply to the template's own text; a parameter value
 * must pass through both untouched (a `$`, backtick, `*`, quote or space in it stays what it is).
 * So the template is rendered with a token per value, the text is expanded and parsed, and only
 * then are the tokens replaced. Tokens are private-use characters and digits: no expansion or
 * quoting rule treats them specially, so they travel as ordinary word characters.
 */

const OPEN = '\uE000'
const CLOSE = '\uE001'
const TOKEN = /\uE000(\d+)\uE001/g

export function valueToken(index: number): string {
  return `${OPEN}${index}${CLOSE}`
}

/** True when `text` holds a character tokens are made of: such text cannot be rendered with tokens. */
export function hasTokenCharacters(text: string): boolean {
  return text.includes(OPEN) || text.includes(CLOSE)
}

/** `text` with every token replaced by `replace(index)`. */
export function mapValueTokens(text: string, replace: (index: number) => string): string {
  return text.replace(TOKEN, (_, index: string) => replace(Number(index)))
}

/** `text` with every token replaced by its value. */
export function fillValueTokens(text: string, values: readonly string[]): string {
  return mapValueTokens(text, (index) => {
    const value = values[index]
    if (value === undefined) throw new Error(`internal: no value for token ${index}`)
    return value
  })
}

/** Where tokens start and end in `text`, as [start, end) pairs, in order. */
export function tokenSpans(text: string): [number, number][] {
  return [...text.matchAll(TOKEN)].map((m) => [m.index, m.index + m[0].length])
}
