/**
 * A cap on how deeply an Experiment may nest, checked before the document is parsed or walked.
 * The YAML parser, `toJS`, structuredClone and the validators all recurse per level: a 300 KB
 * document nested 150,000 deep (`[[[[...` or `- - - -...`) kept the event loop busy for seconds
 * before ending in a stack overflow. Katib's Experiments nest fewer than 20 levels (its deepest
 * example, a TrainJob manifest inside trialTemplate, has 13), so 100 refuses nothing real.
 */
import type { SpecIssue } from '../errors.ts'
import { joinPointer } from './json-pointer.ts'

export const MAX_NESTING_DEPTH = 100

const advice = (limit: number) => `at most ${limit} levels are accepted (a Katib Experiment needs fewer than 20); look for unclosed brackets or runaway indentation`

/**
 * One linear pass over YAML text that over-approximates its nesting: block indentation levels,
 * compact `- - -` sequence entries and flow brackets, skipping comments, quoted scalars and
 * block scalars (`|`, `>`). Returns an issue at the first place deeper than MAX_NESTING_DEPTH.
 */
export function yamlNestingIssue(text: string, limit = MAX_NESTING_DEPTH): SpecIssue | undefined {
  const indents: number[] = []
  let flow = 0
  let quote: '"' | "'" | undefined
  /** Lines more indented than this belong to a block scalar. */
  let blockScalarIndent: number | undefined
  const lines = text.split('\n')
  for (let row = 0; row < lines.length; row++) {
    const line = lines[row]!
    let i = 0
    while (i < line.length && line[i] === ' ') i++
    const blank = i === line.length || line[i] === '\r'
    if (blockScalarIndent !== undefined) {
      if (blank || i > blockScalarIndent) continue
      blockScalarIndent = undefined
    }
    if (quote === undefined && flow === 0) {
      if (blank || line[i] === '#') continue
      if (/^(---|\.\.\.)(\s|$)/.test(line)) {
        indents.length = 0
        continue
      }
      while (indents.length > 0 && indents[indents.length - 1]! > i) indents.pop()
      if (indents.length === 0 || indents[indents.length - 1]! < i) indents.push(i)
      if (indents.length > limit) return tooDeep(row, i, limit)
    }
    const lineIndent = i
    // Where a value may start: a quote or bracket there opens a scalar or a flow collection.
    let valueStart = quote === undefined
    for (; i < line.length; i++) {
      const c = line[i]!
      if (quote !== undefined) {
        if (c === '\\' && quote === '"') i++
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++
          else quote = undefined
        }
        continue
      }
      if (c === ' ' || c === '\t' || c === '\r') continue
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break
      const next = line[i + 1]
      const spaced = next === undefined || next === ' ' || next === '\t' || next === '\r'
      if ((c === '"' || c === "'") && (valueStart || flow > 0)) {
        quote = c
        continue
      }
      if ((c === '[' || c === '{') && (valueStart || flow > 0)) {
        flow++
        if (indents.length + flow > limit) return tooDeep(row, i, limit)
        valueStart = true
        continue
      }
      if ((c === ']' || c === '}') && flow > 0) {
        flow--
        valueStart = false
        continue
      }
      if (flow > 0) {
        valueStart = c === ',' || c === ':'
        continue
      }
      if ((c === '-' || c === '?') && spaced && valueStart) {
        indents.push(i + 1)
        if (indents.length > limit) return tooDeep(row, i, limit)
        continue
      }
      if (c === ':' && spaced) {
        valueStart = true
        continue
      }
      if ((c === '|' || c === '>') && valueStart && /^[|>][-+0-9]*\s*(#.*)?\r?$/.test(line.slice(i))) {
        blockScalarIndent = lineIndent
        break
      }
      // Anchors and tags come before the value they name.
      if ((c === '&' || c === '!') && valueStart) {
        while (i + 1 < line.length && line[i + 1] !== ' ') i++
        continue
      }
      // Anything else is a plain scalar or a key: skip to what could end it.
      valueStart = false
    }
  }
  return undefined
}

/** The same cap for an already parsed document (a JSON body), walked without recursion. */
export function objectNestingIssue(root: unknown, limit = MAX_NESTING_DEPTH): SpecIssue | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }]
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!
    if (typeof value !== 'object' || value === null) continue
    if (depth >= limit) {
      return { path, message: `the document is nested more than ${limit} levels deep here; ${advice(limit)}` }
    }
    for (const [key, child] of Object.entries(value)) stack.push({ value: child, path: joinPointer(path, key), depth: depth + 1 })
  }
  return undefined
}

function tooDeep(row: number, index: number, limit: number): SpecIssue {
  return { path: '', message: `the document is nested more than ${limit} levels deep here; ${advice(limit)}`, line: row + 1, col: index + 1 }
}
