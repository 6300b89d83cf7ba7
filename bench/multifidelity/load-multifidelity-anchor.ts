import { readFileSync } from 'node:fs'
import type { MultiFidelitySummary } from './multifidelity-report.ts'

/** One Optuna configuration on lcbench_like in anchor-optuna-results.json. */
export interface AnchorMultiFidelityCell {
  readonly n_seeds: number
  readonly regret: Readonly<Record<string, MultiFidelitySummary>>
  readonly n_trials_started_median: number
  readonly n_trials_full_median: number
}

export interface MultiFidelityAnchor {
  readonly optuna: string
  readonly date: string
  readonly machine: string
  readonly configs: Readonly<Record<string, AnchorMultiFidelityCell>>
  readonly descriptions: Readonly<Record<string, string>>
}

/** Optuna's lcbench_like rows, copied verbatim from the anchor run into bench/hpo-anchor-v1/. */
export function loadMultiFidelityAnchor(): MultiFidelityAnchor {
  const raw = JSON.parse(readFileSync(new URL('../hpo-anchor-v1/anchor-optuna-results.json', import.meta.url), 'utf8')) as {
    meta: { optuna: string; date: string; machine: string; mf_configs?: Record<string, string> }
    multi_fidelity: { lcbench_like: Record<string, AnchorMultiFidelityCell> }
  }
  return {
    optuna: raw.meta.optuna,
    date: raw.meta.date,
    machine: raw.meta.machine,
    configs: raw.multi_fidelity.lcbench_like,
    descriptions: raw.meta.mf_configs ?? {},
  }
}
