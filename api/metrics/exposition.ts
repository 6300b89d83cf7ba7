/**
 * Prometheus text exposition format 0.0.4, the small part of it a registry needs:
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export type Labels = Readonly<Record<string, string>>

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** Throws on a name Prometheus would reject, so a typo fails at start rather than at scrape. */
export function checkName(name: string, labelNames: readonly string[]): void {
  if (!NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`)
  for (const label of labelNames) {
    if (!LABEL.test(label) || label.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(label)} of ${name}`)
  }
}

export function header(name: string, help: string, type: 'counter' | 'gauge' | 'histogram'): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`
}

/** `name{a="1",b="2"} value\n`; label values escaped as the format requires. */
export function sample(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}\n`
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

/** The same labels always give the same key, whatever order they were passed in. */
export function labelKey(labelNames: readonly string[], labels: Labels): string {
  return JSON.stringify(labelNames.map((n) => labels[n] ?? ''))
}

/** Exactly the declared labels, in declared order; a missing or unknown one is a bug at the call site. */
export function ordered(name: string, labelNames: readonly string[], labels: Labels): Labels {
  const keys = Object.keys(labels)
  if (keys.length !== labelNames.length || !labelNames.every((n) => typeof labels[n] === 'string')) {
    throw new Error(`${name} takes labels ${JSON.stringify(labelNames)}, got ${JSON.stringify(keys)}`)
  }
  return Object.fromEntries(labelNames.map((n) => [n, labels[n]!]))
}
