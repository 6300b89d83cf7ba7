import type { SpecIssue } from '../../core/errors.ts'
import { expandNasConfig } from '../../core/nas/expand-nas-config.ts'
import { nasConfigIssues } from '../../core/nas/nas-config-issues.ts'
import type { NasConfig } from '../../core/spec/experiment-schema.ts'
import type { AlgorithmBudget, SettingIssue } from '../algorithm-definition.ts'
import { didYouMean } from '../did-you-mean.ts'
import { algorithmNames } from '../registry.ts'
import { parseSettings, type RawSetting } from '../parse-settings.ts'
import { dartsAlgorithm, dartsNasConfigIssues } from './darts/darts-definition.ts'
import { getNasAlgorithm, nasAlgorithms } from './nas-registry.ts'
import type { NasAlgorithmDefinition } from './nas-suggester.ts'

/** The definition that runs `name` over a nasConfig: darts, or one of the NAS registry. */
export function nasAlgorithmDefinition(name: string): NasAlgorithmDefinition | undefined {
  return name === 'darts' ? dartsAlgorithm : getNasAlgorithm(name)
}

/** Every algorithm name that runs over `spec.nasConfig`, sorted. */
export function nasAlgorithmNames(): string[] {
  return [...new Set(['darts', ...Object.keys(nasAlgorithms)])].sort()
}

/**
 * validateAlgorithm (../registry.ts) for an experiment with `spec.nasConfig`: the name must be an
 * architecture search, its settings parse (parseSettings, as for every algorithm), the nasConfig
 * has what the algorithm needs (nasConfigIssues; darts names operations its own way and only
 * warns, dartsNasConfigIssues), then the algorithm's own check on the expanded space. Paths are
 * relative to `/spec/algorithm` or absolute (`/spec/nasConfig/...`), as validateAlgorithm's.
 */
export function validateNasAlgorithm(
  name: string | undefined,
  settingsList: readonly RawSetting[],
  nasConfig: NasConfig,
  budget: AlgorithmBudget,
): { issues: SpecIssue[]; warnings: SpecIssue[] } {
  const definition = name ? nasAlgorithmDefinition(name) : undefined
  if (!definition) return { issues: [{ path: '/algorithmName', message: notNasMessage(name ?? '') }], warnings: [] }
  const parsed = parseSettings(definition, settingsList)
  const settingIssue = (issue: (typeof parsed.issues)[number]) => ({
    path: issue.index === undefined ? '/algorithmSettings' : `/algorithmSettings/${issue.index}/${issue.field ?? 'value'}`,
    message: issue.message,
  })
  const warnings = parsed.warnings.map(settingIssue)
  const issues = parsed.issues.map(settingIssue)
  if (definition.name === 'darts') warnings.push(...dartsNasConfigIssues(nasConfig).map(({ path, message }) => ({ path, message })))
  else issues.push(...nasConfigIssues(nasConfig, definition.name))
  if (issues.length > 0) return { issues, warnings }
  const checks = definition.check?.(expandNasConfig(nasConfig), parsed.settings, budget) ?? []
  const at = (issue: SettingIssue) => {
    const index = issue.setting === undefined ? -1 : settingsList.findIndex((s) => s.name === issue.setting)
    return index >= 0 ? `/algorithmSettings/${index}/value` : issue.setting !== undefined ? '/algorithmSettings' : '/spec/nasConfig'
  }
  return {
    issues: checks.filter((c) => !c.warning).map((c) => ({ path: at(c), message: c.message })),
    warnings: [...warnings, ...checks.filter((c) => c.warning).map((c) => ({ path: at(c), message: c.message }))],
  }
}

function notNasMessage(name: string): string {
  const nas = nasAlgorithmNames()
  const list = `${nas.slice(0, -1).join(', ')} or ${nas.at(-1)}`
  if (name === '') return `algorithmName is required; with spec.nasConfig use ${list}`
  if ((algorithmNames() as readonly string[]).includes(name)) {
    return `algorithm "${name}" searches spec.parameters (hyperparameters), not an architecture; with spec.nasConfig use ${list}`
  }
  const guess = didYouMean(name, nas)
  return `unknown architecture search algorithm "${name}"${guess ? `; did you mean "${guess}"?` : ''}; with spec.nasConfig use ${list}`
}
