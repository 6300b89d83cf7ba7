/**
 * How a GJSON path (github.com/tidwall/gjson, v1.14.1: the version Katib builds with) is cut into
 * its parts. GJSON has no grammar of its own: its meaning is what its Go code does, and that code
 * reads a path differently depending on whether it stands on an object or an array (an escaped
 * `\.` means something in a key, nothing after `#`; `.@` is a pipe after a key, not after a query).
 * So these functions follow gjson's own splitting step by step, and the evaluator calls the one
 * that fits the value it stands on. Shared by the evaluator and the spec check.
 */

/** The modifiers Tunewell evaluates; any other `@name` is refused when a spec is validated. */
export const SUPPORTED_MODIFIERS = ['this', 'reverse', 'flatten', 'keys', 'values', 'valid', 'ugly', 'pretty'] as const
export type SupportedModifier = (typeof SUPPORTED_MODIFIERS)[number]
/** gjson's other built-in modifiers: known, so a spec names them precisely, but not evaluated here. */
export const UNSUPPORTED_MODIFIERS: readonly string[] = ['join', 'tostr', 'fromstr', 'group', 'dig']

/** After `.`, these characters start a pipe (`a.@this` is `a|@this`), except after `#`. */
export function isDotPipeChar(c: string | undefined): boolean {
  return c === '@' || c === '[' || c === '{'
}

export interface ObjectStep {
  /** The key to look for, escapes removed. */
  readonly part: string
  /** `*` or `?` in the key: matched as a pattern. */
  readonly wild: boolean
  /** The path to apply to the key's value (`a.b`: `b`). */
  readonly more: boolean
  readonly path: string
  /** The path to apply to the result as a whole (`a|b`, `a.@this`). */
  readonly piped: boolean
  readonly pipe: string
}

export function parseObjectPath(path: string): ObjectStep {
  let wild = false
  for (let i = 0; i < path.length; i++) {
    const c = path[i]
    if (c === '|') return { part: path.slice(0, i), wild, more: false, path: '', piped: true, pipe: path.slice(i + 1) }
    if (c === '.') {
      if (i < path.length - 1 && isDotPipeChar(path[i + 1])) return { part: path.slice(0, i), wild, more: false, path: '', piped: true, pipe: path.slice(i + 1) }
      return { part: path.slice(0, i), wild, more: true, path: path.slice(i + 1), piped: false, pipe: '' }
    }
    if (c === '*' || c === '?') {
      wild = true
      continue
    }
    if (c === '\\') {
      // Escape mode: the part is rebuilt without its backslashes.
      let part = path.slice(0, i)
      i++
      if (i < path.length) {
        part += path[i]
        i++
        for (; i < path.length; i++) {
          const d = path[i]
          if (d === '\\') {
            i++
            if (i < path.length) part += path[i]
            continue
          }
          if (d === '.') {
            // gjson sets `more` here even when the dot starts a pipe; nothing reads it then.
            if (i < path.length - 1 && isDotPipeChar(path[i + 1])) return { part, wild, more: true, path: '', piped: true, pipe: path.slice(i + 1) }
            return { part, wild, more: true, path: path.slice(i + 1), piped: false, pipe: '' }
          }
          if (d === '|') return { part, wild, more: false, path: '', piped: true, pipe: path.slice(i + 1) }
          if (d === '*' || d === '?') wild = true
          part += d
        }
      }
      return { part, wild, more: false, path: '', piped: false, pipe: '' }
    }
  }
  return { part: path, wild, more: false, path: '', piped: false, pipe: '' }
}

export interface Query {
  /** The path read from each element (empty: the element itself). */
  readonly path: string
  /** '' (existence), '=', '!=', '<', '<=', '>', '>=', '%', '!%'. */
  readonly op: string
  /** The right-hand side, quotes removed and escapes resolved. */
  readonly value: string
  /** `#(...)#`: every match, not the first. */
  readonly all: boolean
}

export interface ArrayStep {
  readonly part: string
  readonly path: string
  readonly more: boolean
  readonly pipe: string
  readonly piped: boolean
  /** `#` was seen: a count, a query or `#.` (each element), never an index. */
  readonly arrch: boolean
  /** `#.rest`: `rest` applied to every element. */
  readonly alogok: boolean
  readonly alogkey: string
  readonly query: Query | undefined
}

export function parseArrayPath(path: string): ArrayStep {
  let arrch = false
  let alogok = false
  let alogkey = ''
  let query: Query | undefined
  const step = (part: string, rest: Partial<ArrayStep>): ArrayStep => ({ part, path: '', more: false, pipe: '', piped: false, arrch, alogok, alogkey, query, ...rest })
  for (let i = 0; i < path.length; i++) {
    const c = path[i]
    if (c === '|') return step(path.slice(0, i), { pipe: path.slice(i + 1), piped: true })
    if (c === '.') {
      if (!arrch && i < path.length - 1 && isDotPipeChar(path[i + 1])) return step(path.slice(0, i), { pipe: path.slice(i + 1), piped: true })
      return step(path.slice(0, i), { path: path.slice(i + 1), more: true })
    }
    if (c === '#') {
      arrch = true
      if (i === 0 && path.length > 1) {
        if (path[1] === '.') {
          alogok = true
          alogkey = path.slice(2)
        } else if (path[1] === '[' || path[1] === '(') {
          const parsed = parseQuery(path.slice(i))
          if (!parsed) {
            // gjson ends the parse here but leaves its query switched on with nothing in it: an
            // existence test on each element itself (the spec check refuses such a path).
            query = { path: '', op: '', value: '', all: false }
            break
          }
          i = parsed.end - 1
          query = { path: parsed.path, op: parsed.op, value: unquoteValue(parsed.value, parsed.escaped), all: path[i + 1] === '#' }
        }
      }
    }
  }
  return step(path, {})
}

export interface ParsedQuery {
  readonly path: string
  readonly op: string
  /** The raw right-hand side (quotes kept). */
  readonly value: string
  /** Index just past the closing bracket. */
  readonly end: number
  /** A backslash occurred inside a quoted string. */
  readonly escaped: boolean
}

/** `#(path op value)` or the older `#[...]`, from the `#` on; undefined when its brackets do not close. */
export function parseQuery(query: string): ParsedQuery | undefined {
  if (query.length < 2 || query[0] !== '#' || (query[1] !== '(' && query[1] !== '[')) return undefined
  let i = 2
  let j = 0
  let depth = 1
  let escaped = false
  for (; i < query.length; i++) {
    const c = query[i]
    if (depth === 1 && j === 0 && (c === '!' || c === '=' || c === '<' || c === '>' || c === '%')) {
      j = i
      continue
    }
    if (c === '\\') i++
    else if (c === '[' || c === '(') depth++
    else if (c === ']' || c === ')') {
      depth--
      if (depth === 0) break
    } else if (c === '"') {
      for (i++; i < query.length; i++) {
        if (query[i] === '\\') {
          escaped = true
          i++
        } else if (query[i] === '"') break
      }
    }
  }
  if (depth > 0) return undefined
  if (j === 0) return { path: trim(query.slice(2, i)), op: '', value: '', end: i + 1, escaped }
  const path = trim(query.slice(2, j))
  let value = trim(query.slice(j, i))
  let size = 0
  if (value.length === 1) size = 1
  else if (value.startsWith('!=') || value.startsWith('!%') || value.startsWith('<=') || value.startsWith('>=')) size = 2
  else if (value.startsWith('==')) {
    value = value.slice(1)
    size = 1
  } else if (value[0] === '<' || value[0] === '>' || value[0] === '=' || value[0] === '%') size = 1
  return { path, op: value.slice(0, size), value: trim(value.slice(size)), end: i + 1, escaped }
}

/** gjson trims bytes up to the space character, control characters included. */
export function trim(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && s.charCodeAt(start) <= 32) start++
  while (end > start && s.charCodeAt(end - 1) <= 32) end--
  return s.slice(start, end)
}

/** A quoted right-hand side loses its quotes (and its escapes); anything else stays as written. */
export function unquoteValue(value: string, escaped: boolean): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value
  const inner = value.slice(1, -1)
  if (!escaped) return inner
  try {
    return JSON.parse(value) as string
  } catch {
    // gjson's unescape is lenient: an unknown escape keeps the character after the backslash.
    return inner.replace(/\\(.)/g, '$1')
  }
}

/**
 * After a query or `#.`, the rest of the path runs on each element up to the first `|` that is
 * not inside a nested query; what follows that `|` runs on the collected result.
 */
export function splitPossiblePipe(path: string): { left: string; right: string } | undefined {
  if (!path.includes('|')) return undefined
  if (path[0] === '{') {
    // gjson squashes from the character after the brace, taking that character as the opener.
    const squashed = squash(path.slice(1))
    if (squashed.length < path.length - 1) {
      const left = path.slice(0, squashed.length + 1)
      if (path[left.length] === '|') return { left, right: path.slice(left.length + 1) }
    }
    return undefined
  }
  for (let i = 0; i < path.length; i++) {
    const c = path[i]
    if (c === '\\') i++
    else if (c === '.') {
      if (i === path.length - 1) return undefined
      if (path[i + 1] === '#') {
        i += 2
        if (i === path.length) return undefined
        if (path[i] === '[' || path[i] === '(') {
          const open = path[i]
          const close = open === '[' ? ']' : ')'
          let depth = 1
          for (i++; i < path.length; i++) {
            if (path[i] === '\\') i++
            else if (path[i] === open) depth++
            else if (path[i] === close) {
              depth--
              if (depth === 0) break
            } else if (path[i] === '"') {
              for (i++; i < path.length; i++) {
                if (path[i] === '\\') i++
                else if (path[i] === '"') break
              }
            }
          }
        }
      }
    } else if (c === '|') return { left: path.slice(0, i), right: path.slice(i + 1) }
  }
  return undefined
}

/**
 * gjson's squash: the leading value of `text`, whose first character is taken as an opening
 * bracket (or a quote), up to its balanced end, skipping strings; all of `text` when it never ends.
 */
export function squash(text: string): string {
  let depth = 0
  let i = 0
  if (text[0] !== '"') {
    i = 1
    depth = 1
  }
  for (; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      i++
      const start = i
      for (; i < text.length; i++) {
        if (text[i] !== '"') continue
        // A quote after an odd number of backslashes is escaped.
        let n = 0
        for (let j = i - 1; j >= start && text[j] === '\\'; j--) n++
        if (n % 2 === 0) break
      }
      if (depth === 0) return i >= text.length ? text : text.slice(0, i + 1)
    } else if (c === '{' || c === '[' || c === '(') depth++
    else if (c === '}' || c === ']' || c === ')') {
      depth--
      if (depth === 0) return text.slice(0, i + 1)
    }
  }
  return text
}

export interface SubSelector {
  /** `{"name":path}`: the key given, as written (quotes kept). */
  readonly name: string
  readonly path: string
}

/** `[p1,p2]` or `{p1,"k":p2}` at the start of `path`; `rest` is what follows the closing bracket. */
export function parseSubSelectors(path: string): { selectors: SubSelector[]; rest: string } | undefined {
  const selectors: SubSelector[] = []
  let modifier = 0
  let depth = 1
  let colon = 0
  let start = 1
  const push = (i: number) => {
    selectors.push(colon === 0 ? { name: '', path: path.slice(start, i) } : { name: path.slice(start, colon), path: path.slice(colon + 1, i) })
    colon = 0
    modifier = 0
    start = i + 1
  }
  for (let i = 1; i < path.length; i++) {
    const c = path[i]
    switch (c) {
      case '\\':
        i++
        break
      case '@':
        if (modifier === 0 && (path[i - 1] === '.' || path[i - 1] === '|')) modifier = i
        break
      case ':':
        if (modifier === 0 && colon === 0 && depth === 1) colon = i
        break
      case ',':
        if (depth === 1) push(i)
        break
      case '"':
        for (i++; i < path.length; i++) {
          if (path[i] === '\\') i++
          else if (path[i] === '"') break
        }
        break
      case '[':
      case '(':
      case '{':
        depth++
        break
      case ']':
      case ')':
      case '}':
        depth--
        if (depth === 0) {
          push(i)
          return { selectors, rest: path.slice(i + 1) }
        }
    }
  }
  return undefined
}

export interface ModifierCall {
  readonly name: string
  readonly args: string
  /** The path after the modifier and its arguments (starts with `.` or `|` when not empty). */
  readonly rest: string
}

/** `@name`, `@name:args`, from the `@` on. */
export function parseModifier(path: string): ModifierCall {
  let name = path.slice(1)
  let rest = ''
  let hasArgs = false
  for (let i = 1; i < path.length; i++) {
    const c = path[i]
    if (c === ':') {
      rest = path.slice(i + 1)
      name = path.slice(1, i)
      hasArgs = rest.length > 0
      break
    }
    if (c === '|' || c === '.') {
      rest = path.slice(i)
      name = path.slice(1, i)
      break
    }
  }
  if (!hasArgs) return { name, args: '', rest }
  if (rest[0] === '{' || rest[0] === '[' || rest[0] === '"') {
    const args = squash(rest)
    return { name, args, rest: rest.slice(args.length) }
  }
  const pipe = rest.indexOf('|')
  return pipe === -1 ? { name, args: rest, rest: '' } : { name, args: rest.slice(0, pipe), rest: rest.slice(pipe) }
}
