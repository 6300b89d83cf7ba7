import { signal } from '@preact/signals'
import type { TrialState } from './api-types.ts'

const query = matchMedia('(prefers-color-scheme: dark)')
export const darkMode = signal(query.matches)
query.addEventListener('change', (event) => {
  darkMode.value = event.matches
})

/** One colour per trial state, shared by badges and charts so a state reads the same everywhere. */
export const STATE_COLORS: Readonly<Record<TrialState, string>> = {
  Succeeded: '#22a06b',
  Running: '#3b82f6',
  Pending: '#94a3b8',
  Failed: '#e5484d',
  Killed: '#f59e0b',
  EarlyStopped: '#8b5cf6',
  MetricsUnavailable: '#a16207',
}

export interface ChartPalette {
  readonly text: string
  readonly muted: string
  readonly axis: string
  readonly split: string
  readonly tooltipBg: string
  readonly accent: string
  readonly best: string
}

/** Canvas charts cannot read CSS variables, so their colours follow the same scheme here. */
export function chartPalette(dark: boolean): ChartPalette {
  return dark
    ? { text: '#e5e7eb', muted: '#9ca3af', axis: '#4b5563', split: '#1f2937', tooltipBg: '#111827', accent: '#60a5fa', best: '#fbbf24' }
    : { text: '#1f2937', muted: '#6b7280', axis: '#9ca3af', split: '#eef0f3', tooltipBg: '#ffffff', accent: '#2563eb', best: '#d97706' }
}
