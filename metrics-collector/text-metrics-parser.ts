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

/**
 * A step key on a metric's line: `step=120` or `epoch=3` (also `Epoch: 3`), a whole number. Not
 * Katib's (it numbers nothing, and keeps points in order of arrival); ours numbers the line's
 * points with it, so what a trial prints as its step is the step stored, however many lines it
 * printed before. `step` wins over `epoch` on a line with both (the finer one, as in JSON).
 */
const STEP_KEY = /(?<![\w-])(step|epoch)\s*[=:]\s*(\d+)(?![\w.])/gi

/** What a value printed in another form than `name=value` looks like: `loss: 0.3`, `"loss": 0.3`, `loss 0.3` (or `loss=0.3` that a filter of the user's misses). */
const NEAR_MISS_VALUE = String.raw`["']?\s*(?::|=|\s)\s*["']?[+-]?(?:\d+\.?\d*|\.\d+)(?:[Ee][+-]?\d+)?`
/** Other names are kept for a missing metric's message: the first few. */
const MAX_OTHER_NAMES = 20
/**
 * Lines that mention no metric are looked through for other names only up to this length: Katib's
 * pre-check spares them the filters, and a filter run over a long unbroken token (a progress bar,
 * an encoded blob) backtracks in time quadratic in its length.
 */
const MAX_OTHER_NAMES_LINE = 1000

export interface TextMetricsParserOptions {
  readonly metricNames: readonly string[]
  /** Katib `metricsFormat` regexps (Go syntax, validated); default `[KATIB_DEFAULT_FILTER]`. */
  readonly filters?: readonly string[]
  /** The step of the first point of a metric whose lines carry no step key (MetricsParserOptions.firstStep). */
  readonly firstStep?: number
}

/** Katib's TEXT format (StdOut and File collectors), line by line. */
export class TextMetricsParser implements MetricsParser {
  readonly #names: readonly string[]
  readonly #wanted: ReadonlySet<string>
  readonly #filters: readonly RegExp[]
  /** Only a filter of the user's can capture text; what Katib's default one captures is a number or garbage. */
  readonly #keepsText: boolean
  readonly #nextStep = new Map<string, number>()
  readonly #firstStep: number
  readonly #otherNames = new Set<string>()
  readonly #nearMisses = new Map<string, string>()
  readonly #nearMissPatterns: ReadonlyMap<string, RegExp>
  /** Whether the objective (the first metric name) got a point; from then on other names are not looked for. */
  #objectiveSeen = false
  #garbageCount = 0
  #garbageExample: string | undefined

  constructor(opts: TextMetricsParserOptions) {
    // An empty name is a substring of every line and never a match; it would only add garbage.
    this.#names = opts.metricNames.filter((n) => n !== '')
    this.#wanted = new Set(this.#names)
    const filters = opts.filters !== undefined && opts.filters.length > 0 ? opts.filters : [KATIB_DEFAULT_FILTER]
    this.#keepsText = filters === opts.filters
    this.#filters = filters.map(compileFilter)
    this.#firstStep = opts.firstStep ?? 0
    this.#nearMissPatterns = new Map(this.#names.map((n) => [n, new RegExp(`(?<![\\w-])${escapeRegExp(n)}${NEAR_MISS_VALUE}`)]))
  }

  get otherNames(): readonly string[] {
    return [...this.#otherNames]
  }

  get nearMisses(): ReadonlyMap<string, string> {
    return this.#nearMisses
  }

  expectedForm(name: string): string {
    return this.#keepsText ? `a line that a source.filter.metricsFormat regexp matches, with ${name} in its first group` : `${name}=0.42`
  }

  get garbageCount(): number {
    return this.#garbageCount
  }

  get garbageExample(): string | undefined {
    return this.#garbageExample
  }

  feed(line: string, now: Date = new Date()): MetricPoint[] {
    // Katib's cheap pre-check; it also defines which lines count as garbage.
    if (!this.#names.some((n) => line.includes(n))) {
      this.#noteOtherNames(line)
      return []
    }
    const space = line.indexOf(' ')
    const at = (space > 0 ? parseRfc3339(line.slice(0, space)) : undefined) ?? now
    const points: MetricPoint[] = []
    let rejected = false
    // A value of another name (`val_loss=0.3` where `loss` is asked for) explains the line: it is
    // listed with the names printed (otherNames), not counted as a metric without a number.
    let otherValue = false
    // Read once, and only from a line that gives a point.
    let lineStep: number | null | undefined
    for (const filter of this.#filters) {
      for (const m of line.matchAll(filter)) {
        const rawName = m[1]
        const rawValue = m[2]
        if (rawName === undefined || rawValue === undefined) continue
        const name = rawName.trim()
        if (!this.#wanted.has(name)) {
          if (metricText(rawValue) !== undefined) otherValue = true
          this.#noteOtherName(name, rawValue)
          continue
        }
        const value = parseMetricValue(rawValue) ?? this.#nonFiniteAfter(line, m, rawValue)
        const text = value === undefined && this.#keepsText ? metricText(rawValue) : undefined
        if (value === undefined) rejected = true
        if (value === undefined && text === undefined) continue
        const next = this.#nextStep.get(name) ?? this.#firstStep
        if (lineStep === undefined) lineStep = stepKeyOf(line) ?? null
        const step = lineStep ?? next
        // Lines without a key go on after keyed ones instead of overwriting them.
        this.#nextStep.set(name, Math.max(next, step + 1))
        points.push(text === undefined ? { name, step, value: value!, at } : { name, step, value: Number.NaN, text, at })
      }
    }
    if (rejected || (points.length === 0 && !otherValue)) {
      this.#garbageCount++
      this.#garbageExample ??= garbageSample(line)
    }
    if (!this.#objectiveSeen) {
      this.#objectiveSeen = points.some((p) => p.name === this.#names[0])
      this.#noteNearMisses(line, points)
    }
    return points
  }

  /** Names the filters find on a line that mentions no metric (`acc=0.9` where `accuracy` is asked for). */
  #noteOtherNames(line: string): void {
    // Only a missing objective's message lists them: a trial that reported it is not slowed down.
    if (this.#objectiveSeen || this.#otherNames.size >= MAX_OTHER_NAMES || line.length > MAX_OTHER_NAMES_LINE) return
    // Katib's default filter needs an `=`; most output lines have none and are passed over at once.
    if (!this.#keepsText && !line.includes('=')) return
    for (const filter of this.#filters) {
      for (const m of line.matchAll(filter)) if (m[1] !== undefined && m[2] !== undefined) this.#noteOtherName(m[1].trim(), m[2])
    }
  }

  #noteOtherName(name: string, rawValue: string): void {
    if (this.#objectiveSeen || this.#otherNames.size >= MAX_OTHER_NAMES || name === '' || this.#wanted.has(name)) return
    // A step key is read as the step, and a name with nothing after its `=` is no value printed.
    if (/^(?:step|epoch)$/i.test(name) || metricText(rawValue) === undefined) return
    this.#otherNames.add(name)
  }

  /** A metric this line mentions in another form (`loss: 0.3`) without giving it a point: the first such line per metric. */
  #noteNearMisses(line: string, points: readonly MetricPoint[]): void {
    for (const [name, pattern] of this.#nearMissPatterns) {
      if (this.#nearMisses.has(name) || !line.includes(name) || points.some((p) => p.name === name)) continue
      if (pattern.test(line)) this.#nearMisses.set(name, garbageSample(line))
    }
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

/** The line's `step=`, else its `epoch=`; undefined without either. */
function stepKeyOf(line: string): number | undefined {
  let epoch: number | undefined
  for (const m of line.matchAll(STEP_KEY)) {
    const value = Number(m[2])
    if (!Number.isSafeInteger(value)) continue
    if (m[1]!.toLowerCase() === 'step') return value
    epoch ??= value
  }
  return epoch
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Katib filters are Go (RE2) regexps; the translation is core/go-regexp's. */
function compileFilter(source: string): RegExp {
  try {
    return compileGoRegexp(source, 'gd')
  } catch (err) {
    throw new Error(`invalid metrics filter ${JSON.stringify(source)}: ${(err as Error).message}`, { cause: err })
  }
}
