import { readFileSync } from 'node:fs'
import type { Params } from '../../core/search-space.ts'
import type { Summary } from './summarize.ts'

/** One sampler on one problem in anchor-optuna-results.json (our quality.json has the same shape). */
export interface AnchorCell {
  readonly n_seeds: number
  readonly regret: Readonly<Record<string, Summary>>
  readonly best_value_per_seed: readonly (number | null)[]
  readonly best_params_per_seed: readonly (Params | null)[]
  readonly wall_s_median: number | null
}

export interface AnchorTiming {
  readonly n: number
  readonly median_ms: number
  readonly p25_ms: number
  readonly p75_ms: number
}

/** The parts of Optuna's anchor results the reports compare against. */
export interface AnchorResults {
  readonly meta: { readonly date: string; readonly machine: string; readonly optuna: string }
  readonly single_fidelity: Readonly<Record<string, Readonly<Record<string, AnchorCell>>>>
  readonly latency: {
    readonly in_memory: Readonly<Record<string, { readonly sampler: string; readonly N: number; readonly ask: AnchorTiming }>>
    readonly sqlite?: { readonly sampler: string; readonly N: number; readonly ask: AnchorTiming }
  }
}

export interface SuiteDefinition {
  readonly problems: readonly { readonly name: string; readonly argmin: readonly Params[] }[]
}

const ANCHOR_DIR = new URL('../hpo-anchor-v1/', import.meta.url)

/** Optuna's results, copied verbatim from the anchor run into bench/hpo-anchor-v1/. */
export function loadAnchor(): AnchorResults {
  return JSON.parse(readFileSync(new URL('anchor-optuna-results.json', ANCHOR_DIR), 'utf8')) as AnchorResults
}

/** The suite's problem list (for the minimisers). */
export function loadSuite(): SuiteDefinition {
  return JSON.parse(readFileSync(new URL('suite.json', ANCHOR_DIR), 'utf8')) as SuiteDefinition
}
