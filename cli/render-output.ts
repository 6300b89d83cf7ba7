import { stringify } from 'yaml'
import type { OutputFormat } from './server-options.ts'

/** JSON and YAML print the API's own objects, so scripts see exactly what the API answers. */
export function renderOutput(value: unknown, format: OutputFormat, table: () => string): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`
  if (format === 'yaml') return stringify(value, { lineWidth: 0 })
  const text = table()
  return text.endsWith('\n') ? text : `${text}\n`
}
