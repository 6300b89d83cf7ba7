/**
 * Substituted values in a script that a real shell runs (a trial's own `sh -c "..."`): instead of
 * splicing a value's text into the script, where the shell would read it as code, each value
 * token (value-tokens.ts) becomes a reference to an environment variable that holds the value,
 * written for the quoting context the token stands in, so the value arrives as text:
 *
 *   --lr=TOKEN        ->  --lr="${V}"        (one word, never split or globbed)
 *   "--lr=TOKEN"      ->  "--lr=${V}"
 *   '--lr=TOKEN'      ->  '--lr='"${V}"''
 *   <<EOF body        ->  ${V}   (unquoted delimiter); the raw value for a quoted delimiter,
 *                                 whose body the shell does not expand
 *
 * The context comes from a scan of quotes, backslashes, comments, `$(...)`, backticks, `${...}`
 * and here-documents; constructs it does not follow (a `case` pattern's `)` inside `$(...)`)
 * can misplace a reference, which then reads as text or expands unquoted, never as code.
 */
import { mapValueTokens } from './value-tokens.ts'

type Context = 'plain' | 'single' | 'double' | 'backtick' | 'substitution' | 'brace'

interface HereDoc {
  readonly delimiter: string
  readonly quoted: boolean
  readonly stripTabs: boolean
}

const TOKEN_AT = /^\uE000(\d+)\uE001/

/**
 * `script` with its value tokens replaced by references to `variable(index)`; a value in a
 * quoted here-document goes in as text (`values[index]`), and must not hold a line break.
 */
export function referenceValuesInScript(script: string, variable: (index: number) => string, values: readonly string[]): string {
  const stack: Context[] = ['plain']
  const top = () => stack[stack.length - 1]
  /** The quoting that a reference inside `${...}` follows: its enclosing context's. */
  const quoting = () => {
    for (let k = stack.length - 1; k >= 0; k--) if (stack[k] !== 'brace') return stack[k]
    return 'plain'
  }
  const pending: HereDoc[] = []
  let out = ''
  let wordStart = true
  let i = 0
  while (i < script.length) {
    const token = TOKEN_AT.exec(script.slice(i, i + 24))
    if (token) {
      const name = variable(Number(token[1]))
      const context = quoting()
      out += context === 'single' ? `'"\${${name}}"'` : context === 'double' ? `\${${name}}` : `"\${${name}}"`
      i += token[0].length
      wordStart = false
      continue
    }
    const c = script[i]
    const context = top()
    if (context === 'single') {
      if (c === "'") stack.pop()
      out += c
      i += 1
      continue
    }
    if (c === '\\') {
      out += script.slice(i, i + 2)
      i += 2
      wordStart = false
      continue
    }
    if (context === 'double') {
      if (c === '"') stack.pop()
      else if (c === '`') stack.push('backtick')
      else if (script.startsWith('$(', i)) {
        stack.push('substitution')
        out += '$('
        i += 2
        continue
      } else if (script.startsWith('${', i)) {
        stack.push('brace')
        out += '${'
        i += 2
        continue
      }
      out += c
      i += 1
      continue
    }
    // plain, substitution, backtick, brace: shell code.
    if (c === '#' && wordStart && context !== 'brace') {
      const newline = script.indexOf('\n', i)
      const end = newline < 0 ? script.length : newline
      // A value in a comment is dropped (a line break in it would end the comment).
      out += mapValueTokens(script.slice(i, end), () => '')
      i = end
      continue
    }
    if (c === "'") stack.push('single')
    else if (c === '"') stack.push('double')
    else if (c === '`') {
      if (context === 'backtick') stack.pop()
      else stack.push('backtick')
    } else if (c === ')' && context === 'substitution') stack.pop()
    else if (c === '}' && context === 'brace') stack.pop()
    else if (script.startsWith('$(', i) || script.startsWith('${', i)) {
      stack.push(script[i + 1] === '(' ? 'substitution' : 'brace')
      out += script.slice(i, i + 2)
      i += 2
      wordStart = false
      continue
    } else if (script.startsWith('<<', i) && !script.startsWith('<<<', i)) {
      const heredoc = readHereDocOperator(script, i)
      if (heredoc) {
        pending.push(heredoc.doc)
        out += script.slice(i, heredoc.end)
        i = heredoc.end
        wordStart = true
        continue
      }
    } else if (c === '\n' && pending.length > 0) {
      out += c
      i += 1
      for (const doc of pending.splice(0)) {
        const body = readHereDocBody(script, i, doc)
        out += mapValueTokens(script.slice(i, body.end), (index) => {
          if (!doc.quoted) return `\${${variable(index)}}`
          const value = values[index] ?? ''
          if (value.includes('\n')) throw new Error(`a substituted value with a line break cannot go into the here-document ending in ${doc.delimiter}, whose delimiter is quoted`)
          return value
        })
        i = body.end
      }
      wordStart = true
      continue
    }
    out += c
    i += 1
    wordStart = ' \t\n;&|()<>'.includes(c)
  }
  return out
}

function readHereDocOperator(script: string, at: number): { doc: HereDoc; end: number } | undefined {
  let i = at + 2
  const stripTabs = script[i] === '-'
  if (stripTabs) i += 1
  while (script[i] === ' ' || script[i] === '\t') i += 1
  let delimiter = ''
  let quoted = false
  while (i < script.length && !' \t\n;&|()<>'.includes(script[i])) {
    const c = script[i]
    if (c === "'" || c === '"') {
      quoted = true
      const close = script.indexOf(c, i + 1)
      if (close < 0) return undefined
      delimiter += script.slice(i + 1, close)
      i = close + 1
    } else if (c === '\\') {
      quoted = true
      delimiter += script[i + 1] ?? ''
      i += 2
    } else {
      delimiter += c
      i += 1
    }
  }
  return delimiter === '' ? undefined : { doc: { delimiter, quoted, stripTabs }, end: i }
}

/** Where the body that starts at `from` ends: after its delimiter line, or at the end of the script. */
function readHereDocBody(script: string, from: number, doc: HereDoc): { end: number } {
  let i = from
  while (i < script.length) {
    const newline = script.indexOf('\n', i)
    const lineEnd = newline < 0 ? script.length : newline
    const line = script.slice(i, lineEnd)
    if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) return { end: newline < 0 ? lineEnd : lineEnd + 1 }
    i = lineEnd + 1
  }
  return { end: script.length }
}
