import { JsonMetricsParser } from './json-metrics-parser.ts'
import type { MetricsParser, MetricsParserOptions } from './metrics-parser.ts'
import { TextMetricsParser } from './text-metrics-parser.ts'

/** The parser for a collector's format (its own file, so the parsers and their interface form no import cycle). */
export function createMetricsParser(opts: MetricsParserOptions): MetricsParser {
  if (opts.format === 'TEXT') return new TextMetricsParser(opts)
  // Katib's webhook rejects this combination; failing here keeps a bypassed spec from being half-applied.
  if (opts.filters !== undefined && opts.filters.length > 0) {
    throw new Error('metrics filters (source.filter.metricsFormat) only apply to the TEXT format, not JSON')
  }
  return new JsonMetricsParser(opts)
}
