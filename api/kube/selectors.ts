import { badRequest } from './kube-status.ts'

/**
 * Label and field selectors (`?labelSelector=`, `?fieldSelector=`) with Kubernetes' grammar and
 * its error messages (k8s.io/apimachinery labels.Parse, fields.ParseSelector): a client that
 * sends a malformed one gets the 400 BadRequest Status a real API server answers, not our own
 * words. Parsing and matching are apart so a list parses once and matches many objects.
 */

export type LabelOperator = 'exists' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | 'gt' | 'lt'

export interface LabelRequirement {
  readonly key: string
  readonly operator: LabelOperator
  readonly values: readonly string[]
}

/** Every requirement must hold; empty matches everything. */
export type LabelSelector = readonly LabelRequirement[]

export interface FieldRequirement {
  readonly field: string
  readonly operator: '=' | '==' | '!='
  readonly value: string
}

/** Every requirement must hold; empty matches everything. */
export type FieldSelector = readonly FieldRequirement[]

type Token =
  | { kind: 'identifier'; text: string }
  | { kind: 'end' | ',' | '(' | ')' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin'; text: string }

const SPECIAL = new Set(['!', '=', ',', '(', ')', '<', '>'])
const OPERATORS = ['!=', '==', '=', '!', '>', '<', ',', '(', ')'] as const
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt'

// Kubernetes' label key: an optional DNS-subdomain prefix and a name of at most 63 characters.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  while (at < text.length) {
    const char = text[at]!
    if (/\s/.test(char)) {
      at++
      continue
    }
    const operator = OPERATORS.find((op) => text.startsWith(op, at))
    if (operator !== undefined) {
      tokens.push({ kind: operator, text: operator })
      at += operator.length
      continue
    }
    let end = at
    while (end < text.length && !/\s/.test(text[end]!) && !SPECIAL.has(text[end]!)) end++
    const word = text.slice(at, end)
    tokens.push({ kind: 'identifier', text: word })
    at = end
  }
  tokens.push({ kind: 'end', text: '' })
  return tokens
}

/** `in` and `notin` are keywords only where an operator is expected (a value may be "in"). */
function asOperator(token: Token): Token {
  if (token.kind === 'identifier' && (token.text === 'in' || token.text === 'notin')) return { kind: token.text, text: token.text }
  return token
}

// As Kubernetes' lexer, the end of the text is an empty literal: "found '', expected: ...".
const shown = (token: Token) => token.text

function keyProblem(key: string): string | undefined {
  const slash = key.split('/')
  const [prefix, name] = slash.length === 2 ? slash : [undefined, key]
  if (slash.length > 2 || name === undefined) {
    return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
  }
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) {
    return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
  }
  if (name.length === 0) return 'name part must be non-empty'
  if (name.length > 63) return 'name part must be no more than 63 characters'
  if (!NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
  }
  return undefined
}

function valueProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters'
  if (!VALUE.test(value)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
  }
  return undefined
}

class Parser {
  private at = 0
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.at]!
  }

  private next(): Token {
    const token = this.tokens[this.at]!
    if (token.kind !== 'end') this.at++
    return token
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = []
    for (;;) {
      const token = this.peek()
      if (token.kind === 'end') return requirements
      if (token.kind !== 'identifier' && token.kind !== '!') throw new Error(`found '${shown(token)}', expected: !, identifier, or 'end of string'`)
      try {
        requirements.push(this.requirement())
      } catch (error) {
        throw new Error(`unable to parse requirement: ${(error as Error).message}`)
      }
      const after = this.next()
      if (after.kind === 'end') return requirements
      if (after.kind !== ',') throw new Error(`found '${shown(after)}', expected: ',' or 'end of string'`)
      const following = this.peek()
      if (following.kind !== 'identifier' && following.kind !== '!') throw new Error(`found '${shown(following)}', expected: identifier after ','`)
    }
  }

  private requirement(): LabelRequirement {
    let token = this.next()
    const negated = token.kind === '!'
    if (negated) token = this.next()
    if (token.kind !== 'identifier') throw new Error(`found '${shown(token)}', expected: identifier`)
    const key = token.text
    const problem = keyProblem(key)
    if (problem !== undefined) throw new Error(`key: Invalid value: ${JSON.stringify(key)}: ${problem}`)
    const following = this.peek().kind
    // `!k` ends the requirement whatever follows; the caller then refuses a stray `=v`, as Kubernetes does.
    if (negated) return { key, operator: '!', values: [] }
    if (following === 'end' || following === ',') return { key, operator: 'exists', values: [] }
    const op = asOperator(this.next())
    switch (op.kind) {
      case 'in':
      case 'notin':
        return this.check({ key, operator: op.kind, values: this.valueSet() })
      case '=':
      case '==':
      case '!=':
        return this.check({ key, operator: op.kind, values: [this.exactValue()] })
      case '>':
      case '<': {
        const value = this.exactValue()
        if (!/^-?\d+$/.test(value)) throw new Error(`values[0]: Invalid value: ${JSON.stringify(value)}: for 'Gt', 'Lt' operators, the value must be an integer`)
        return { key, operator: op.kind === '>' ? 'gt' : 'lt', values: [value] }
      }
      default:
        throw new Error(`found '${shown(op)}', expected: ${BINARY_OPERATORS}`)
    }
  }

  private exactValue(): string {
    const token = this.peek()
    if (token.kind === 'end' || token.kind === ',') return ''
    this.next()
    if (token.kind === 'identifier' || token.kind === 'in' || token.kind === 'notin') return token.text
    throw new Error(`found '${shown(token)}', expected: identifier`)
  }

  private valueSet(): string[] {
    const open = this.next()
    if (open.kind !== '(') throw new Error(`found '${shown(open)}', expected: '('`)
    const values: string[] = []
    for (;;) {
      const token = this.next()
      if (token.kind === ')') {
        // `k in ()` is an empty set; `k in (a,)` keeps the empty value, as Kubernetes does.
        if (values.length === 0) values.push('')
        return values
      }
      if (token.kind === ',') {
        values.push('')
        continue
      }
      if (token.kind !== 'identifier') throw new Error(`found '${shown(token)}', expected: ',', ')' or identifier`)
      values.push(token.text)
      const after = this.next()
      if (after.kind === ')') return values
      if (after.kind !== ',') throw new Error(`found '${shown(after)}', expected: ',' or ')'`)
      if (this.peek().kind === ')') {
        this.next()
        values.push('')
        return values
      }
    }
  }

  private check(requirement: LabelRequirement): LabelRequirement {
    requirement.values.forEach((value, index) => {
      const problem = valueProblem(value)
      if (problem !== undefined) throw new Error(`values[${index}][${requirement.key}]: Invalid value: ${JSON.stringify(value)}: ${problem}`)
    })
    return requirement
  }
}

/**
 * Parses `labelSelector`: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
 * `k>1`, `k<1`, comma-separated. A malformed one is a 400 BadRequest Status.
 */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (text === null || text === undefined || text.trim() === '') return []
  try {
    return new Parser(tokenize(text)).parse()
  } catch (error) {
    throw badRequest((error as Error).message)
  }
}

/** As in Kubernetes, `k!=v` and `notin` also match objects without the label. */
export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const present = labels ?? {}
  return selector.every(({ key, operator, values }) => {
    const has = Object.hasOwn(present, key)
    const value = present[key]
    switch (operator) {
      case 'exists':
        return has
      case '!':
        return !has
      case '=':
      case '==':
      case 'in':
        return has && values.includes(value!)
      case '!=':
      case 'notin':
        return !has || !values.includes(value!)
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(value!)) return false
        return operator === 'gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0])
      }
    }
  })
}

/** Splits on commas a backslash does not escape, and unescapes `\,` `\=` `\\` in values. */
function splitTerms(text: string): string[] {
  const terms: string[] = []
  let current = ''
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!
    if (char === '\\' && at + 1 < text.length) {
      current += char + text[at + 1]
      at++
    } else if (char === ',') {
      terms.push(current)
      current = ''
    } else current += char
  }
  terms.push(current)
  return terms
}

function unescape(value: string): string {
  let out = ''
  for (let at = 0; at < value.length; at++) {
    const char = value[at]!
    if (char !== '\\') {
      // Go prints the rune as its number, and so does the API server's message.
      if (char === '=' || char === ',') throw badRequest(`invalid field selector: unescaped character in value: ${char.codePointAt(0)}`)
      out += char
      continue
    }
    const escaped = value[at + 1]
    if (escaped === undefined || !['\\', ',', '='].includes(escaped)) {
      throw badRequest(`invalid field selector: invalid escape sequence: \\${escaped ?? ''}`)
    }
    out += escaped
    at++
  }
  return out
}

/**
 * Parses `fieldSelector`: `f=v`, `f==v`, `f!=v`, comma-separated (`\,` `\=` `\\` escape).
 * `supported` says which fields this resource can be selected by; any other is refused with
 * the message the API server gives a custom resource.
 */
export function parseFieldSelector(text: string | null | undefined, supported: readonly string[] | ((field: string) => boolean)): FieldSelector {
  if (text === null || text === undefined || text.trim() === '') return []
  const isSupported = typeof supported === 'function' ? supported : (field: string) => supported.includes(field)
  const requirements = splitTerms(text).filter((term) => term !== '').map((term): FieldRequirement => {
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term)
    if (match === null) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`)
    const [, field, operator, value] = match
    return { field: field!.trim(), operator: operator as FieldRequirement['operator'], value: unescape(value!) }
  })
  for (const { field } of requirements) {
    if (!isSupported(field)) throw badRequest(`field label not supported: ${field}`)
  }
  return requirements
}

/** `fields`: the object's selectable fields by name, or a function giving one (undefined: ''). */
export function matchesFields(selector: FieldSelector, fields: Readonly<Record<string, string>> | ((field: string) => string | undefined)): boolean {
  const valueOf = typeof fields === 'function' ? fields : (field: string) => fields[field]
  return selector.every(({ field, operator, value }) => ((valueOf(field) ?? '') === value) !== (operator === '!='))
}
