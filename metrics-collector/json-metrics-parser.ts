import type { MetricPoint } from '../core/metric.ts'
import { garbageSample } from './garbage-sample.ts'
import type { MetricsParser } from './metrics-parser.ts'
import { parseMetricValue } from './parse-metric-value.ts'
import { parseRfc3339 } from './rfc3339.ts'

export interface JsonMetricsParserOptions {
  readonly metricNames: readonly string[]
  /** The step of the first point of a metric whose lines carry no step key (MetricsParserOptions.firstStep). */
  readonly firstStep?: number
}

/** Keys that are no metric of their own: they number or stamp the line's points. */
const LINE_KEYS = new Set(['step', 'epoch', 'timestamp'])
/** Other names are kept for a missing metric's message: the first few. */
const MAX_OTHER_NAMES = 20

/**
 * Katib's JSON format: one object per line, e.g. `{"epoch": 2, "loss": 0.41, "timestamp": 1700000000.5}`.
 * Differences from Katib, all deliberate: numbers are accepted as well as numeric strings (Katib
 * silently drops numbers), a bad line is counted and skipped instead of failing the whole report,
 * and a `step`/`epoch` key orders the points.
 */
export class JsonMetricsParser implements MetricsParser {
  readonly #names: readonly string[]
  readonly #wanted: ReadonlySet<string>
  readonly #nextStep = new Map<string, number>()
  readonly #firstStep: number
  readonly #otherNames = new Set<string>()
  #garbageCount = 0
  #garbageExample: string | undefined

  constructor(opts: JsonMetricsParserOptions) {
    this.#names = [...new Set(opts.metricNames.filter((n) => n !== ''))]
    this.#wanted = new Set(this.#names)
    this.#firstStep = opts.firstStep ?? 0
  }

  get otherNames(): readonly string[] {
    return [...this.#otherNames]
  }

  /** A line that is no JSON object is garbage, and its example says what it was. */
  get nearMisses(): ReadonlyMap<string, string> {
    return new Map()
  }

  expectedForm(name: string): string {
    return `{"${name}": 0.42}`
  }

  get garbageCount(): number {
    return this.#garbageCount
  }

  get garbageExample(): string | undefined {
    return this.#garbageExample
  }

  feed(line: string, now: Date = new Date()): MetricPoint[] {
    if (line.trim() === '') return []
    const obj = parseObject(line)
    if (obj === undefined) {
      this.#reject(line)
      return []
    }
    // Only a missing objective's message lists them (MetricsParser.otherNames).
    if (!Object.hasOwn(obj, this.#names[0] ?? '')) this.#noteOtherNames(obj)
    const at = timestampOf(obj.timestamp) ?? now
    const explicitStep = stepOf(obj.step) ?? stepOf(obj.epoch)
    const points: MetricPoint[] = []
    let rejected = false
    for (const name of this.#names) {
      // hasOwn: a metric called `constructor` must not pick up Object.prototype.constructor.
      if (!Object.hasOwn(obj, name)) continue
      const value = valueOf(obj[name])
      if (value === undefined) {
        rejected = true
        continue
      }
      const next = this.#nextStep.get(name) ?? this.#firstStep
      const step = explicitStep ?? next
      // Keeps counter-numbered lines after explicitly numbered ones instead of overwriting them.
      this.#nextStep.set(name, Math.max(next, step + 1))
      points.push({ name, step, value, at })
    }
    if (rejected) this.#reject(line)
    return points
  }

  #noteOtherNames(obj: Record<string, unknown>): void {
    for (const key of Object.keys(obj)) {
      if (this.#otherNames.size >= MAX_OTHER_NAMES) return
      if (!this.#wanted.has(key) && !LINE_KEYS.has(key) && valueOf(obj[key]) !== undefined) this.#otherNames.add(key)
    }
  }

  #reject(line: string): void {
    this.#garbageCount++
    this.#garbageExample ??= garbageSample(line)
  }
}

function parseObject(line: string): Record<string, unknown> | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    // Python's json.dumps writes a diverged float as bare NaN/Infinity, which is not JSON.
    try {
      parsed = JSON.parse(quoteBareNonFinite(line))
    } catch {
      return undefined
    }
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined
}

// Skips over string literals so a `"NaN"` inside a string is left alone.
const STRING_OR_BARE = /"(?:[^"\\]|\\.)*"|-?\b(?:NaN|Infinity)\b/g

function quoteBareNonFinite(line: string): string {
  return line.replace(STRING_OR_BARE, (tok) => (tok.startsWith('"') ? tok : `"${tok}"`))
}

function valueOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'string') return parseMetricValue(v)
  return undefined
}

function stepOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined
}

function timestampOf(v: unknown): Date | undefined {
  if (typeof v === 'string') return parseRfc3339(v)
  if (typeof v === 'number' && Number.isFinite(v)) {
    const d = new Date(v * 1000)
    return Number.isNaN(d.getTime()) ? undefined : d
  }
  return undefined
}
