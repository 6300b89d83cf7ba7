/**
 * A POSIX shell's (dash's) reading of one simple command, without running a shell: quote
 * removal ('...', "...", backslash), `$NAME` / `${NAME}` from a given environment, field
 * splitting of unquoted expansions on the default IFS, `~` and `~/` at the start of a word,
 * comments, line continuations, and leading NAME=value assignments (they become the program's
 * environment, as `NAME=value prog` would). Everything that needs a real shell (operators such
 * as `|`, `;`, `&&`, redirections, command and arithmetic substitution, pathname patterns,
 * parameter operators such as `${X:-y}`, special parameters, reserved words, a second line) is
 * refused with a ShellWordsError that names the construct; nothing is ever executed.
 *
 * Used for Katib's `sh -c "<command> <args>"` (controller/katib-argv.ts). Substituted values are
 * tokens here (value-tokens.ts): ordinary word characters, so they are never split or expanded.
 */

/** What `$NAME` reads; undefined for an unset variable (which expands to nothing, as in sh). */
export type ShellLookup = (name: string) => string | undefined

export interface SimpleCommand {
  /** Leading NAME=value words, in order. */
  readonly assignments: readonly (readonly [string, string])[]
  readonly argv: readonly string[]
}

export class ShellWordsError extends Error {
  constructor(
    /** What was found, e.g. "a pipe (|)". */
    readonly construct: string,
    /** Where in the text, 0-based. */
    readonly offset: number,
    /** How to write it instead, when there is a plain way. */
    readonly hint?: string,
  ) {
    super(`${construct} at character ${offset + 1}${hint ? `; ${hint}` : ''}`)
  }
}

type SegmentKind = 'literal' | 'quoted' | 'expanded'
interface Segment {
  text: string
  kind: SegmentKind
  /** For an expansion: what it expanded (`$NAME`), to name it in errors. */
  source?: string
  offset: number
}

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', '{', '}', '!'])
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/
const IFS_WHITESPACE = new Set([' ', '\t', '\n'])
const NEEDS_SHELL_HINT = 'write the command as `command: [sh, -c, "..."]` to have a real shell run it'

/** The argv and assignments that `sh -c text` would run `text` as, or a ShellWordsError. */
export function parseSimpleCommand(text: string, lookup: ShellLookup): SimpleCommand {
  const words: Segment[][] = []
  let word: Segment[] | undefined
  const add = (segment: Segment) => {
    word ??= []
    const last = word.at(-1)
    if (last && last.kind === segment.kind && segment.kind !== 'expanded' && segment.text !== '') last.text += segment.text
    else word.push(segment)
  }
  const end = () => {
    if (word) words.push(word)
    word = undefined
  }

  const readDollar = (at: number, quoted: boolean): number => {
    const next = text[at + 1]
    if (next === '(') {
      if (text[at + 2] === '(') throw new ShellWordsError('arithmetic expansion $((...))', at, NEEDS_SHELL_HINT)
      const close = text.indexOf(')', at)
      const inner = close < 0 ? '' : text.slice(at + 2, close)
      const hint = NAME.test(inner) && NAME.exec(inner)?.[0] === inner
        ? `Kubernetes leaves $(${inner}) as it is when the container's env has no ${inner} (and makes $$(${inner}) into it), and the shell then runs "${inner}" as a command; define ${inner} in the container's env, or quote it ('$(${inner})') to pass it as text`
        : NEEDS_SHELL_HINT
      throw new ShellWordsError('command substitution $(...)', at, hint)
    }
    if (next === '{') {
      const close = text.indexOf('}', at)
      if (close < 0) throw new ShellWordsError('an unterminated ${', at)
      const inner = text.slice(at + 2, close)
      const name = NAME.exec(inner)?.[0]
      if (name === undefined || name !== inner) {
        throw new ShellWordsError(`the parameter expansion \${${inner}}`, at, name
          ? `only $NAME and \${NAME} are expanded without a shell; give ${name} its value in the container's env, or ${NEEDS_SHELL_HINT}`
          : NEEDS_SHELL_HINT)
      }
      add({ text: lookup(name) ?? '', kind: quoted ? 'quoted' : 'expanded', source: `\${${name}}`, offset: at })
      return close + 1
    }
    const name = NAME.exec(text.slice(at + 1))?.[0]
    if (name !== undefined) {
      add({ text: lookup(name) ?? '', kind: quoted ? 'quoted' : 'expanded', source: `$${name}`, offset: at })
      return at + 1 + name.length
    }
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) throw new ShellWordsError(`the special parameter $${next}`, at, NEEDS_SHELL_HINT)
    add({ text: '$', kind: quoted ? 'quoted' : 'literal', offset: at })
    return at + 1
  }

  const readDouble = (start: number): number => {
    add({ text: '', kind: 'quoted', offset: start - 1 })
    let i = start
    while (i < text.length) {
      const c = text[i]
      if (c === '"') return i + 1
      if (c === '\\') {
        const next = text[i + 1]
        if (next === '\n') i += 2
        else if (next !== undefined && '$`"\\'.includes(next)) {
          add({ text: next, kind: 'quoted', offset: i })
          i += 2
        } else {
          add({ text: '\\', kind: 'quoted', offset: i })
          i += 1
        }
      } else if (c === '$') i = readDollar(i, true)
      else if (c === '`') throw new ShellWordsError('command substitution `...`', i, NEEDS_SHELL_HINT)
      else {
        add({ text: c, kind: 'quoted', offset: i })
        i += 1
      }
    }
    throw new ShellWordsError('an unterminated double quote', start - 1)
  }

  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === ' ' || c === '\t') {
      end()
      i += 1
    } else if (c === '\n') {
      end()
      const rest = skipBlank(text, i)
      if (rest < text.length) throw new ShellWordsError('a second command (on a new line)', rest, NEEDS_SHELL_HINT)
      i = rest
    } else if (c === '#' && word === undefined) {
      const newline = text.indexOf('\n', i)
      i = newline < 0 ? text.length : newline
    } else if (c === '\\') {
      const next = text[i + 1]
      if (next === '\n') i += 2
      else {
        add({ text: next ?? '\\', kind: 'quoted', offset: i })
        i += next === undefined ? 1 : 2
      }
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1)
      if (close < 0) throw new ShellWordsError('an unterminated single quote', i)
      add({ text: text.slice(i + 1, close), kind: 'quoted', offset: i })
      i = close + 1
    } else if (c === '"') i = readDouble(i + 1)
    else if (c === '$') i = readDollar(i, false)
    else if (c === '`') throw new ShellWordsError('command substitution `...`', i, NEEDS_SHELL_HINT)
    else if ('|&;<>()'.includes(c)) throw new ShellWordsError(operatorName(text, i), i, `quote it to pass it as text, or ${NEEDS_SHELL_HINT}`)
    else if ('*?['.includes(c)) {
      throw new ShellWordsError(`the pathname pattern character ${c}`, i, `quote it ('${c}') to pass it as text; a shell would replace the word with matching file names`)
    } else if (c === '~' && word === undefined) i = readTilde(i)
    else {
      add({ text: c, kind: 'literal', offset: i })
      i += 1
    }
  }
  end()

  function readTilde(at: number): number {
    let stop = at + 1
    while (stop < text.length && !' \t\n/'.includes(text[stop])) stop += 1
    if (stop > at + 1) throw new ShellWordsError(`the tilde expansion ${text.slice(at, stop)}`, at, 'only ~ and ~/ (HOME) are expanded without a shell; write the directory out')
    const home = lookup('HOME')
    if (home === undefined) throw new ShellWordsError('~ with HOME unset', at, 'set HOME or write the directory out')
    add({ text: home, kind: 'quoted', offset: at })
    return stop
  }

  return toCommand(words)
}

/** Fields and assignments of the words, as the shell's expansion steps would leave them. */
function toCommand(words: Segment[][]): SimpleCommand {
  const assignments: [string, string][] = []
  const argv: string[] = []
  for (const word of words) {
    const first = word[0]
    if (argv.length === 0) {
      const assignment = first.kind === 'literal' ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text) : null
      if (assignment) {
        // No field splitting in an assignment's value (POSIX 2.9.1).
        assignments.push([assignment[1], first.text.slice(assignment[0].length) + word.slice(1).map((s) => s.text).join('')])
        continue
      }
      if (word.length === 1 && first.kind === 'literal' && RESERVED.has(first.text)) {
        throw new ShellWordsError(`the reserved word "${first.text}"`, first.offset, NEEDS_SHELL_HINT)
      }
    }
    argv.push(...fields(word))
  }
  if (argv.length === 0) throw new ShellWordsError('no command to run', 0)
  return { assignments, argv }
}

function fields(word: Segment[]): string[] {
  const out: string[] = []
  let current = ''
  let started = false
  for (const segment of word) {
    if (segment.kind !== 'expanded') {
      current += segment.text
      started = true
      continue
    }
    const pattern = /[*?[]/.exec(segment.text)
    if (pattern) {
      throw new ShellWordsError(`the value of ${segment.source} holds the pathname pattern character ${pattern[0]}`, segment.offset,
        `quote it ("${segment.source}") so that it is passed as text; a shell would replace it with matching file names`)
    }
    for (const c of segment.text) {
      if (IFS_WHITESPACE.has(c)) {
        if (started) out.push(current)
        current = ''
        started = false
      } else {
        current += c
        started = true
      }
    }
  }
  if (started) out.push(current)
  return out
}

/** The first offset at or after `from` that is neither blank, a line break, nor inside a comment. */
function skipBlank(text: string, from: number): number {
  let i = from
  while (i < text.length) {
    if (IFS_WHITESPACE.has(text[i])) i += 1
    else if (text[i] === '#') {
      const newline = text.indexOf('\n', i)
      i = newline < 0 ? text.length : newline
    } else break
  }
  return i
}

function operatorName(text: string, at: number): string {
  const two = text.slice(at, at + 2)
  if (two === '&&' || two === '||') return `the list operator ${two}`
  if (two === '>>' || two === '<<' || two === '>&' || two === '<&' || two === '<>' || two === '>|') return `the redirection ${two}`
  const c = text[at]
  switch (c) {
    case '|': return 'a pipe (|)'
    case '&': return 'a background job (&)'
    case ';': return 'a command separator (;)'
    case '<': case '>': return `the redirection ${c}`
    default: return `a subshell or group (${c})`
  }
}
