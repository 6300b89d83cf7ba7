import type { RawSetting } from '../../algorithms/parse-settings.ts'

/**
 * `--settings tpe:n_startup_trials=20,tpe:gamma=0.2` (repeatable) → Katib algorithmSettings per
 * algorithm; values stay strings, as in an Experiment's YAML, and are parsed by the algorithm.
 */
export function parseAlgorithmSettings(texts: readonly string[]): Record<string, RawSetting[]> {
  const byAlgorithm: Record<string, RawSetting[]> = {}
  for (const item of texts.flatMap((t) => t.split(',')).map((s) => s.trim()).filter((s) => s !== '')) {
    const match = /^([^:=]+):([^=]+)=(.*)$/.exec(item)
    if (!match) throw new Error(`--settings: "${item}" is not algorithm:name=value`)
    ;(byAlgorithm[match[1]!] ??= []).push({ name: match[2]!, value: match[3]! })
  }
  return byAlgorithm
}
