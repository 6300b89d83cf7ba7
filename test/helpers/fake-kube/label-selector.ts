import { badRequest } from './status.ts'

type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean

/**
 * Parses the `labelSelector` query parameter: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, comma-separated (commas inside parentheses belong to the set). As in
 * Kubernetes, `k!=v` and `notin` also match objects without the label.
 */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text || text.trim() === '') return () => true
  const requirements = splitTopLevel(text).map(parseRequirement)
  return (labels) => requirements.every((req) => matches(req, labels ?? {}))
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const char of text) {
    if (char === '(') depth++
    if (char === ')') depth--
    if (char === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else current += char
  }
  parts.push(current)
  return parts.map((part) => part.trim())
}

const KEY = /^([A-Za-z0-9][-A-Za-z0-9_./]*)?[A-Za-z0-9]$/
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

function parseRequirement(part: string): Requirement {
  const fail = () => badRequest(`unable to parse requirement: found '${part}', expected: identifier or valid selector`)
  let match: RegExpMatchArray | null
  if ((match = part.match(/^!\s*(\S+)$/))) return checkKey({ key: match[1]!, op: 'notexists' }, fail)
  if ((match = part.match(/^(\S+?)\s*(==|=|!=)\s*(\S*)$/))) {
    const [, key, op, value] = match
    if (!VALUE.test(value!)) throw fail()
    return checkKey({ key: key!, op: op === '!=' ? 'notin' : 'in', values: [value!] }, fail)
  }
  if ((match = part.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
    const [, key, op, list] = match
    const values = list!.split(',').map((v) => v.trim())
    if (values.some((v) => !VALUE.test(v))) throw fail()
    return checkKey({ key: key!, op: op as 'in' | 'notin', values }, fail)
  }
  if ((match = part.match(/^(\S+)$/))) return checkKey({ key: match[1]!, op: 'exists' }, fail)
  throw fail()
}

function checkKey<T extends Requirement>(req: T, fail: () => Error): T {
  if (!KEY.test(req.key)) throw fail()
  return req
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key)
  switch (req.op) {
    case 'exists':
      return has
    case 'notexists':
      return !has
    case 'in':
      return has && req.values.includes(labels[req.key]!)
    case 'notin':
      return !has || !req.values.includes(labels[req.key]!)
  }
}
