import { compileGoRegexp } from '../core/go-regexp/translate-go-regexp.ts'
import type { MetricPoint } from '../core/metric.ts'
import { garbageSample } from './garbage-sample.ts'
import type { MetricsParser } from './metrics-parser.ts'
import { NON_FINITE_TOKEN, parseMetricValue } from './parse-metric-value.ts'
import { parseRfc3339 } from './rfc3339.ts'

/** Katib's `DefaultFilter` (pkg/metricscollector/v1beta1/common/const.go), verbatim. */
export const KATIB_DEFAULT_FILTER = String.raw`([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)`

// The default filter's value group cannot match letters, so `loss=nan` matches as `loss=` with an
// empty value (and `loss=-inf` as `loss=-`). When that happens we look at what follows.
const NON_FINITE_AFTER = /^\s*([+-]?(?:nan|inf(?:inity)?))(?!\w)/i

export interface TextMetricsParserOptions {
  readonly metricNames: readonly string[]
  /** Katib `metricsFormat` regexps (Go syntax, validated); default `[KATIB_DEFAULT_FILTER]`. */
  readonly filters?: readonly string[]
}

/** Katib's TEXT format (StdOut and File collectors), line by line. */
export class TextMetricsParser implements MetricsParser {
  readonly #names: readonly string[]
  readonly #wanted: ReadonlySet<string>
  readonly #filters: readonly RegExp[]
  /** Only a filter of the user's can capture text; what Katib's default one captures is a number or garbage. */
  readonly #keepsText: boolean
  readonly #nextStep = new Map<string, number>()
  #garbageCount = 0
  #garbageExample: string | undefined

  constructor(opts: TextMetricsParserOptions) {
    // An empty name is a substring of every line and never a match; it would only add garbage.
    this.#names = opts.metricNames.filter((n) => n !== '')
    this.#wanted = new Set(this.#names)
    const filters = opts.filters !== undefined && opts.filters.length > 0 ? opts.filters : [KATIB_DEFAULT_FILTER]
    this.#keepsText = filters === opts.filters
    this.#filters = filters.map(compileFilter)
  }

  get garbageCount(): number {
    return this.#garbageCount
  }

  get garbageExample(): string | undefined {
    return this.#garbageExample
  }

  feed(line: string, now: Date = new Date()): MetricPoint[] {
    // Katib's cheap pre-check; it also defines which lines count as garbage.
    if (!this.#names.some((n) => line.includes(n))) return []
    const space = line.indexOf(' ')
    const at = (space > 0 ? parseRfc3339(line.slice(0, space)) : undefined) ?? now
    const points: MetricPoint[] = []
    let rejected = false
    for (const filter of this.#filters) {
      for (const m of line.matchAll(filter)) {
        const rawName = m[1]
        const rawValue = m[2]
        if (rawName === undefined || rawValue === undefined) continue
        const name = rawName.trim()
        if (!this.#wanted.has(name)) continue
        const value = parseMetricValue(rawValue) ?? this.#nonFiniteAfter(line, m, rawValue)
        const text = value === undefined && this.#keepsText ? metricText(rawValue) : undefined
        if (value === undefined) rejected = true
        if (value === undefined && text === undefined) continue
        const step = this.#nextStep.get(name) ?? 0
        this.#nextStep.set(name, step + 1)
        points.push(text === undefined ? { name, step, value: value!, at } : { name, step, value: Number.NaN, text, at })
      }
    }
    if (rejected || points.length === 0) {
      this.#garbageCount++
      this.#garbageExample ??= garbageSample(line)
    }
    return points
  }

  #nonFiniteAfter(line: string, m: RegExpExecArray | RegExpMatchArray, rawValue: string): number | undefined {
    const sign = rawValue.trim()
    if (sign !== '' && sign !== '+' && sign !== '-') return undefined
    const end = m.indices?.[2]?.[1]
    if (end === undefined) return undefined
    const after = NON_FINITE_AFTER.exec(line.slice(end))
    if (!after) return undefined
    const token = sign + after[1]
    // `-+inf` and the like are not a number.
    return NON_FINITE_TOKEN.test(token) ? parseMetricValue(token) : undefined
  }
}

/**
 * A value that is no number but is kept as text, where a filter of the user's captured it (as
 * Katib's DARTS example's `([\w-]+)=(Genotype.*)` captures `Best-Genotype=Genotype(...)`):
 * anything but an empty match or a lone sign. Such a line still counts as garbage, so a numeric
 * metric that printed it is explained as before; the point is a text metric's only where the
 * metric reported nothing but text (MetricPoint.text).
 */
function metricText(rawValue: string): string | undefined {
  const text = rawValue.trim()
  return text === '' || text === '+' || text === '-' ? undefined : text
}

/** Katib filters are Go (RE2) regexps; the translation is core/go-regexp's. */
function compileFilter(source: string): RegExp {
  try {
    return compileGoRegexp(source, 'gd')
  } catch (err) {
    throw new Error(`invalid metrics filter ${JSON.stringify(source)}: ${(err as Error).message}`, { cause: err })
  }
}
