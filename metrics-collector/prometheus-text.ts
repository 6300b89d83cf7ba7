/**
 * The Prometheus text exposition format (version 0.0.4, also what OpenMetrics text looks like for
 * counters, gauges and untyped samples): `# HELP` and `# TYPE` comments, then one sample per line,
 * `name{label="value",...} value [timestamp in ms]`. Parsed by hand: it is line based and small.
 */
export interface PrometheusSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
  /** Milliseconds since the epoch, when the exporter gave one. */
  readonly timestampMs?: number
}

export interface PrometheusParse {
  readonly samples: readonly PrometheusSample[]
  /** Lines that are no sample and no comment: `line N: why`. */
  readonly problems: readonly string[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/

export function parsePrometheusText(text: string): PrometheusParse {
  const samples: PrometheusSample[] = []
  const problems: string[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim()
    if (line === '' || line.startsWith('#')) return
    try {
      samples.push(parseSample(line))
    } catch (error) {
      problems.push(`line ${i + 1}: ${(error as Error).message}`)
    }
  })
  return { samples, problems }
}

function parseSample(line: string): PrometheusSample {
  const name = NAME.exec(line)?.[0]
  if (!name) throw new Error(`no metric name at the start of ${JSON.stringify(line.slice(0, 60))}`)
  let at = name.length
  const labels: Record<string, string> = {}
  if (line[at] === '{') {
    at = parseLabels(line, at + 1, labels)
  }
  const rest = line.slice(at).trim().split(/\s+/)
  if (rest.length < 1 || rest[0] === '' || rest.length > 2) throw new Error(`expected a value and an optional timestamp after ${name}`)
  const value = parseValue(rest[0]!)
  if (value === undefined) throw new Error(`${JSON.stringify(rest[0])} is not a number`)
  if (rest.length === 2) {
    const timestampMs = Number(rest[1])
    if (!Number.isFinite(timestampMs)) throw new Error(`timestamp ${JSON.stringify(rest[1])} is not a number`)
    return { name, labels, value, timestampMs }
  }
  return { name, labels, value }
}

/** Reads `a="x",b="y"}` from `at`; returns the index after the closing brace. */
function parseLabels(line: string, at: number, labels: Record<string, string>): number {
  for (;;) {
    while (line[at] === ' ' || line[at] === ',') at++
    if (line[at] === '}') return at + 1
    const label = LABEL_NAME.exec(line.slice(at))?.[0]
    if (!label) throw new Error(`a label name was expected at column ${at + 1}`)
    at += label.length
    while (line[at] === ' ') at++
    if (line[at] !== '=' || line[at + 1] !== '"') throw new Error(`label ${label} needs ="value"`)
    at += 2
    let value = ''
    for (;;) {
      const c = line[at]
      if (c === undefined) throw new Error(`the value of label ${label} is not closed`)
      at++
      if (c === '"') break
      if (c === '\\') {
        const next = line[at++]
        value += next === 'n' ? '\n' : (next ?? '')
      } else value += c
    }
    // A label repeated is an exporter's bug; the last one is kept.
    Object.defineProperty(labels, label, { value, enumerable: true, writable: true, configurable: true })
  }
}

function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase()
  if (lower === 'nan') return Number.NaN
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY
  if (lower === '-inf') return Number.NEGATIVE_INFINITY
  // Number('') and Number('0x10') would pass; the format allows Go's float syntax only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined
  return Number(text)
}

/**
 * A metric name of the experiment as a selector: `accuracy`, or Katib's way of naming one series
 * of a labelled metric, `accuracy{split="test"}` (every label given must match, others may be there).
 */
export interface PrometheusSelector {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
}

export function parseSelector(metric: string): PrometheusSelector | undefined {
  const name = NAME.exec(metric)?.[0]
  if (!name) return undefined
  if (name.length === metric.length) return { name, labels: {} }
  if (metric[name.length] !== '{') return undefined
  const labels: Record<string, string> = {}
  try {
    const end = parseLabels(metric, name.length + 1, labels)
    if (end !== metric.length) return undefined
  } catch {
    return undefined
  }
  return { name, labels }
}

export type SelectResult =
  | { readonly sample: PrometheusSample }
  | { readonly ambiguous: number }
  | { readonly missing: true }

/**
 * The one sample a selector picks: those with its name and its labels; among several, the one with
 * no labels at all, if any (a plain gauge beside labelled ones); otherwise it is ambiguous.
 */
export function selectSample(selector: PrometheusSelector, samples: readonly PrometheusSample[]): SelectResult {
  const wanted = Object.entries(selector.labels)
  const matching = samples.filter((s) => s.name === selector.name && wanted.every(([k, v]) => Object.hasOwn(s.labels, k) && s.labels[k] === v))
  if (matching.length === 1) return { sample: matching[0]! }
  if (matching.length === 0) return { missing: true }
  const plain = matching.filter((s) => Object.keys(s.labels).length === wanted.length)
  if (plain.length === 1) return { sample: plain[0]! }
  return { ambiguous: matching.length }
}
