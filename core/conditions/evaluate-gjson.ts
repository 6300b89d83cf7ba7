/**
 * `gjson.Get(json, path)` over a parsed JSON value, for the successCondition and failureCondition
 * of Katib's trial templates. It follows gjson v1.14.1 (Katib's version) step by step: the same
 * splitting of the path (gjson-syntax.ts), the same quirks of `.` against `|` after `#`, the same
 * query comparisons, and objects walked in the order Katib serialises them (Go's encoding/json
 * sorts the keys of the unstructured object). Where gjson finds nothing the result is `undefined`.
 *
 * Evaluated: keys (escapes, `*`/`?` wildcards), indexes, `#` counts, `#.path` on each element,
 * `#(...)` and `#(...)#` queries (==, =, !=, <, <=, >, >=, %, !%, existence, `~` booleans, nested
 * queries), `|` pipes, `[...]` and `{...}` multipaths, and the modifiers of SUPPORTED_MODIFIERS.
 * Not evaluated (the spec check refuses them, so none reaches here from a valid spec): `!` literals,
 * `..` JSON lines and the other modifiers; an unknown `@name` is a key name, as in gjson.
 */
import { globMatch } from './glob-match.ts'
import { parseArrayPath, parseModifier, parseObjectPath, parseSubSelectors, splitPossiblePipe, SUPPORTED_MODIFIERS, type ArrayStep, type SupportedModifier } from './gjson-syntax.ts'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Where gjson keeps the pipe that the innermost part of the path handed on. */
interface Context {
  value: Json | undefined
  pipe: string | undefined
}

/** gjson.Get: the value at `path` in `json`, or undefined where gjson's result does not exist. */
export function gjsonGet(json: Json | undefined, fullPath: string): Json | undefined {
  let path = fullPath
  if (path.length > 1) {
    if (path[0] === '@') {
      const call = parseModifier(path)
      if ((SUPPORTED_MODIFIERS as readonly string[]).includes(call.name)) {
        const result = applyModifier(call.name as SupportedModifier, json, call.args)
        if (call.rest[0] === '|' || call.rest[0] === '.') return gjsonGet(result, call.rest.slice(1))
        return result
      }
    }
    if (path[0] === '[' || path[0] === '{') {
      const parsed = parseSubSelectors(path)
      if (parsed && (parsed.rest === '' || parsed.rest[0] === '|' || parsed.rest[0] === '.')) {
        const built = path[0] === '[' ? selectArray(json, parsed.selectors) : selectObject(json, parsed.selectors)
        return parsed.rest === '' ? built : gjsonGet(built, parsed.rest.slice(1))
      }
      // gjson assigns what its parse returned to the path even when it failed: an unclosed
      // multipath leaves nothing, text stuck after one is read on its own (the spec check refuses both).
      path = parsed ? parsed.rest : ''
    }
  }
  const context: Context = { value: undefined, pipe: undefined }
  // `..` reads JSON lines, which a Kubernetes object never is.
  if (!path.startsWith('..')) {
    if (Array.isArray(json)) walkArray(context, json, path)
    else if (isObject(json)) walkObject(context, json, path)
  }
  if (context.pipe !== undefined) return gjsonGet(context.value, context.pipe)
  return context.value
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Go compares strings by bytes; for UTF-8 that is code point order (JS compares UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  const x = Array.from(a)
  const y = Array.from(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}

/**
 * Objects that a step built (@reverse, a {...} multipath) keep the key order gjson gives them;
 * JavaScript would put integer-like keys first, so the order is kept beside the object.
 */
const builtOrder = new WeakMap<object, readonly string[]>()

/** The keys in the order of the JSON Katib evaluates: Go marshals a map with its keys sorted. */
export function sortedKeys(object: { [key: string]: Json }): readonly string[] {
  return builtOrder.get(object) ?? Object.keys(object).sort(compareStrings)
}

function built(entries: ReadonlyArray<readonly [string, Json]>): { [key: string]: Json } {
  const object = Object.fromEntries(entries) as { [key: string]: Json }
  builtOrder.set(object, entries.map(([key]) => key))
  return object
}

function walkObject(context: Context, object: { [key: string]: Json }, path: string): boolean {
  const step = parseObjectPath(path)
  if (!step.more && step.piped) context.pipe = step.pipe
  // Without a wildcard only one key can match: no need to sort them all.
  const keys = step.wild ? sortedKeys(object).filter((key) => globMatch(key, step.part)) : Object.hasOwn(object, step.part) ? [step.part] : []
  for (const key of keys) {
    const value = object[key]
    if (!step.more) {
      context.value = value
      return true
    }
    // A key that matches but leads nowhere lets the search go on (a wildcard may match again).
    if (Array.isArray(value) ? walkArray(context, value, step.path) : isObject(value) ? walkObject(context, value, step.path) : false) return true
  }
  return false
}

function walkArray(context: Context, array: Json[], path: string): boolean {
  const step: { -readonly [K in keyof ArrayStep]: ArrayStep[K] } = { ...parseArrayPath(path) }
  if (!step.more && step.piped) context.pipe = step.pipe
  if (step.query) return runQuery(context, array, step)
  if (step.arrch) {
    if (step.part !== '#') return false
    if (step.alogok) {
      const split = splitPossiblePipe(step.alogkey)
      if (split) {
        step.alogkey = split.left
        context.pipe = split.right
      }
      const results: Json[] = []
      for (const element of array) {
        const result = gjsonGet(element, step.alogkey)
        if (result !== undefined) results.push(result)
      }
      context.value = results
      return true
    }
    context.value = array.length
    return true
  }
  const index = /^[0-9]+$/.test(step.part) ? Number(step.part) : -1
  if (index < 0 || index >= array.length) return false
  const element = array[index]
  if (!step.more) {
    context.value = element
    return true
  }
  return Array.isArray(element) ? walkArray(context, element, step.path) : isObject(element) ? walkObject(context, element, step.path) : false
}

function runQuery(context: Context, array: Json[], step: { -readonly [K in keyof ArrayStep]: ArrayStep[K] }): boolean {
  const query = step.query!
  const matches: Json[] = []
  for (const element of array) {
    let tested: Json | undefined
    if (typeof element === 'object' && element !== null) tested = gjsonGet(element, query.path)
    else if (query.path !== '') continue
    else tested = element
    if (!queryMatches(query.op, query.value, tested)) continue
    let result: Json | undefined = element
    if (step.more) {
      // The rest runs on each match up to its first top-level `|`; the rest after it, on the result.
      const split = splitPossiblePipe(step.path)
      if (split) {
        step.path = split.left
        context.pipe = split.right
      }
      result = gjsonGet(element, step.path)
    }
    if (!query.all) {
      context.value = result
      return true
    }
    if (result !== undefined) matches.push(result)
  }
  if (context.value === undefined && query.all) context.value = matches
  return false
}

/** gjson's Result.Bool, for the `~` of a query. */
function truthy(value: Json | undefined): boolean {
  if (value === true) return true
  if (typeof value === 'string') return ['1', 't', 'true'].includes(value.toLowerCase())
  if (typeof value === 'number') return value !== 0
  return false
}

/** strconv.ParseFloat as gjson uses it: what it cannot read is 0. */
function parseGoFloat(text: string): number {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text)
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity
  if (/^nan$/i.test(text)) return NaN
  return 0
}

export function queryMatches(op: string, rawValue: string, tested: Json | undefined): boolean {
  let value = tested
  let rhs = rawValue
  if (rhs.startsWith('~')) {
    rhs = rhs.slice(1)
    value = truthy(value)
  }
  if (value === undefined) return false
  if (op === '') return true
  if (typeof value === 'string') {
    const order = compareStrings(value, rhs)
    switch (op) {
      case '=': return value === rhs
      case '!=': return value !== rhs
      case '<': return order < 0
      case '<=': return order <= 0
      case '>': return order > 0
      case '>=': return order >= 0
      case '%': return globMatch(value, rhs)
      case '!%': return !globMatch(value, rhs)
    }
    return false
  }
  if (typeof value === 'number') {
    const n = parseGoFloat(rhs)
    switch (op) {
      case '=': return value === n
      case '!=': return value !== n
      case '<': return value < n
      case '<=': return value <= n
      case '>': return value > n
      case '>=': return value >= n
    }
    return false
  }
  if (value === true) {
    switch (op) {
      case '=': return rhs === 'true'
      case '!=': return rhs !== 'true'
      case '>': return rhs === 'false'
      case '>=': return true
    }
    return false
  }
  if (value === false) {
    switch (op) {
      case '=': return rhs === 'false'
      case '!=': return rhs !== 'false'
      case '<': return rhs === 'true'
      case '<=': return true
    }
  }
  // null, objects and arrays compare with nothing.
  return false
}

function selectArray(json: Json | undefined, selectors: readonly { path: string }[]): Json[] {
  const out: Json[] = []
  for (const selector of selectors) {
    const result = gjsonGet(json, selector.path)
    if (result !== undefined) out.push(result)
  }
  return out
}

function selectObject(json: Json | undefined, selectors: readonly { name: string; path: string }[]): { [key: string]: Json } {
  const out: Array<readonly [string, Json]> = []
  for (const selector of selectors) {
    const result = gjsonGet(json, selector.path)
    if (result === undefined) continue
    let name = selector.name
    if (name === '') {
      const last = lastComponent(selector.path)
      name = /^[^[\]{}()#|!\u0000-\u001f]*$/.test(last) ? last : '_'
    } else if (name.startsWith('"')) {
      try {
        name = JSON.parse(name) as string
      } catch {
        // Not a JSON string: gjson quotes it as written.
      }
    }
    // gjson writes duplicate keys; its later lookups find the first one, so keep that.
    if (!out.some(([key]) => key === name)) out.push([name, result])
  }
  return built(out)
}

function lastComponent(path: string): string {
  for (let i = path.length - 1; i >= 0; i--) {
    if ((path[i] === '|' || path[i] === '.') && !(i > 0 && path[i - 1] === '\\')) return path.slice(i + 1)
  }
  return path
}

function applyModifier(name: SupportedModifier, json: Json | undefined, args: string): Json | undefined {
  switch (name) {
    case 'this':
    case 'valid':
    case 'ugly':
    case 'pretty':
      // Whitespace and validity of text: a parsed value has neither to change.
      return json
    case 'reverse':
      if (Array.isArray(json)) return [...json].reverse()
      if (isObject(json)) return built([...sortedKeys(json)].reverse().map((key) => [key, json[key]] as const))
      return json
    case 'flatten': {
      if (!Array.isArray(json)) return json
      let deep = false
      try {
        const parsed: unknown = args === '' ? undefined : JSON.parse(args)
        if (parsed && typeof parsed === 'object' && 'deep' in parsed) deep = truthy((parsed as { deep: Json }).deep)
      } catch {
        // Arguments that are no JSON object set nothing.
      }
      const flat = (array: Json[]): Json[] => array.flatMap((element) => (Array.isArray(element) ? (deep ? flat(element) : element) : [element]))
      return flat(json)
    }
    case 'keys':
      if (json === undefined) return []
      if (isObject(json)) return [...sortedKeys(json)]
      return Array.isArray(json) ? json.map(() => null) : [null]
    case 'values':
      if (json === undefined) return []
      if (Array.isArray(json)) return json
      return isObject(json) ? sortedKeys(json).map((key) => json[key]) : [json]
  }
}
