/**
 * Whether a successCondition or failureCondition is a GJSON path that the evaluator reads as the
 * user meant. gjson itself never refuses a path (a malformed one just finds nothing, so a trial
 * would run on forever), so this check is ours: stricter than Katib, which accepts any string.
 * It refuses what cannot be right (unclosed brackets and quotes, empty parts, unknown query
 * operators, text stuck to a query) and what Tunewell does not evaluate (literals, JSON lines,
 * modifiers outside SUPPORTED_MODIFIERS).
 */
import { parseModifier, parseQuery, parseSubSelectors, SUPPORTED_MODIFIERS, UNSUPPORTED_MODIFIERS } from './gjson-syntax.ts'

export interface PathProblem {
  /** 0-based index into the path where the problem is. */
  readonly offset: number
  readonly message: string
}

const OPERATORS = ['=', '!=', '<', '<=', '>', '>=', '%', '!%']

export function checkGjsonPath(path: string): PathProblem | undefined {
  if (path.trim() === '') return { offset: 0, message: 'the path is empty' }
  if (path.startsWith('..')) return { offset: 0, message: 'a path starting with ".." reads JSON lines, which a Kubernetes object never is' }
  return checkFrom(path, 0)
}

function checkFrom(path: string, base: number): PathProblem | undefined {
  let i = 0
  for (;;) {
    const at = base + i
    const c = path[i]
    if (c === undefined || c === '.' || c === '|') {
      return { offset: at, message: i === 0 ? `the path starts with "${c}"; start it with a key such as status` : `nothing follows "${path[i - 1]}"; a path part is missing` }
    }
    let next: number
    if (c === '@') {
      const call = parseModifier(path.slice(i))
      if (call.name === '') return { offset: at, message: '"@" names no modifier' }
      if (!(SUPPORTED_MODIFIERS as readonly string[]).includes(call.name)) {
        const known = UNSUPPORTED_MODIFIERS.includes(call.name) ? `gjson's @${call.name} is not supported here` : `@${call.name} is no GJSON modifier`
        return { offset: at, message: `${known}; use one of ${SUPPORTED_MODIFIERS.map((m) => `@${m}`).join(', ')}` }
      }
      next = path.length - call.rest.length
      if (call.rest !== '' && call.rest[0] !== '.' && call.rest[0] !== '|') return { offset: base + next, message: `unexpected "${call.rest[0]}" after @${call.name} and its arguments; continue with "." or "|"` }
    } else if (c === '!') {
      return { offset: at, message: 'JSON literals ("!...") are not supported here' }
    } else if (c === '[' || c === '{') {
      const sub = parseSubSelectors(path.slice(i))
      if (!sub) return { offset: at, message: `"${c}" is never closed` }
      let start = i + 1
      for (const selector of sub.selectors) {
        const text = selector.name === '' ? selector.path : `${selector.name}:${selector.path}`
        const pathStart = start + text.length - selector.path.length
        if (c === '[' && selector.name !== '') return { offset: base + start, message: `":" in a [...] multipath; names belong in a {...} multipath` }
        const problem = selector.path.trim() === '' ? { offset: base + pathStart, message: `an empty path in the ${c}...${c === '[' ? ']' : '}'} multipath` } : checkFrom(selector.path, base + pathStart)
        if (problem) return problem
        start += text.length + 1
      }
      next = path.length - sub.rest.length
      if (sub.rest !== '' && sub.rest[0] !== '.' && sub.rest[0] !== '|') return { offset: base + next, message: `unexpected "${sub.rest[0]}" after the multipath; continue with "." or "|"` }
    } else if (c === '#' && (path[i + 1] === '(' || path[i + 1] === '[')) {
      const query = parseQuery(path.slice(i))
      if (!query) return { offset: at + 1, message: `the query "${path[i + 1]}" is never closed (or a quote in it is not)` }
      const problem = checkQuery(query, path.slice(i), at)
      if (problem) return problem
      next = i + query.end
      if (path[next] === '#') next++
      if (next < path.length && path[next] !== '.' && path[next] !== '|') {
        return { offset: base + next, message: `unexpected "${path[next]}" after the query; continue with "." or "|" (write #(...)# for every match, #(...) for the first)` }
      }
    } else {
      next = i
      for (; next < path.length && path[next] !== '.' && path[next] !== '|'; next++) {
        if (path[next] === '\\') {
          if (next + 1 === path.length) return { offset: base + next, message: 'the path ends with a lone "\\"; escape a character after it, e.g. "\\."' }
          next++
        } else if (path[next] === '#' && (path[next + 1] === '(' || path[next + 1] === '[')) {
          return { offset: base + next, message: `a query must start a path part: write "${path.slice(i, next)}.${path.slice(next, next + 2)}...", with a "." before "#"` }
        }
      }
      if (c === '#' && next !== i + 1) {
        return { offset: at, message: `"${path.slice(i, next)}": "#" alone counts an array's elements, "#.key" reads key in each, "#(...)" queries; anything else after "#" matches nothing` }
      }
    }
    if (next >= path.length) return undefined
    i = next + 1
  }
}

function checkQuery(query: NonNullable<ReturnType<typeof parseQuery>>, text: string, at: number): PathProblem | undefined {
  const inside = at + 2
  if (query.op === '' && query.value !== '') return { offset: inside + text.slice(2).indexOf(query.value), message: `unknown operator in "${text.slice(0, query.end)}"; use ==, !=, <, <=, >, >=, % or !%` }
  if (query.op === '' && query.path === '') return { offset: at, message: 'the query is empty; write e.g. #(type=="Complete")#' }
  if (query.op !== '' && !OPERATORS.includes(query.op)) return { offset: inside, message: `unknown operator "${query.op}"` }
  if (query.value.startsWith('~') && !['~true', '~false'].includes(query.value)) {
    return { offset: inside + text.slice(2).indexOf(query.value), message: `"${query.value}": only ~true and ~false are understood by the GJSON version Katib uses` }
  }
  if (query.path !== '') {
    const offset = inside + text.slice(2).indexOf(query.path)
    return checkFrom(query.path, offset)
  }
  return undefined
}
