import type { SpecIssue } from '../core/errors.ts'
import type { SearchSpace } from '../core/search-space.ts'
import type { AlgorithmBudget, AlgorithmDefinition, SettingIssue } from './algorithm-definition.ts'
import { cmaesAlgorithm } from './cmaes/cmaes-definition.ts'
import { didYouMean } from './did-you-mean.ts'
import { bayesianOptimizationAlgorithm } from './gp/bayesian-optimization-definition.ts'
import { gridAlgorithm } from './grid/grid-suggester.ts'
import { hyperbandAlgorithm } from './hyperband/hyperband-definition.ts'
import { nsga2Algorithm } from './nsga2/nsga2-definition.ts'
import { parseSettings } from './parse-settings.ts'
import { pbtAlgorithm } from './pbt/pbt-definition.ts'
import type { RawSetting } from './parse-settings.ts'
import { randomAlgorithm } from './random/random-suggester.ts'
import { sobolAlgorithm } from './sobol/sobol-suggester.ts'
import { multivariateTpeAlgorithm, tpeAlgorithm } from './tpe/tpe-definitions.ts'

/** Every algorithm this version runs, by Katib `algorithmName`. Explicit: no scanning, no decorators. */
export const algorithms = {
  random: randomAlgorithm,
  grid: gridAlgorithm,
  sobol: sobolAlgorithm,
  tpe: tpeAlgorithm,
  'multivariate-tpe': multivariateTpeAlgorithm,
  bayesianoptimization: bayesianOptimizationAlgorithm,
  cmaes: cmaesAlgorithm,
  nsga2: nsga2Algorithm,
  hyperband: hyperbandAlgorithm,
  pbt: pbtAlgorithm,
} satisfies Record<string, AlgorithmDefinition<never>>

export type AlgorithmName = keyof typeof algorithms

/**
 * Names Katib accepts that we have not implemented yet; they get a clearer message than
 * "unknown". None today: the architecture searches (enas, darts) run over spec.nasConfig
 * (nas/nas-registry.ts, nas/validate-nas-algorithm.ts).
 */
export const PLANNED_ALGORITHM_NAMES: readonly string[] = []

export function getAlgorithm(name: string): AlgorithmDefinition | undefined {
  return Object.hasOwn(algorithms, name) ? algorithms[name as AlgorithmName] : undefined
}

/** See AlgorithmDefinition.usesHistory; an unknown algorithm is assumed to. */
export function algorithmUsesHistory(name: string, space: SearchSpace): boolean {
  return getAlgorithm(name)?.usesHistory?.(space) ?? true
}

/** See AlgorithmDefinition.usesIntermediateValues. */
export function algorithmUsesIntermediateValues(name: string): boolean {
  return getAlgorithm(name)?.usesIntermediateValues === true
}

export function algorithmNames(): readonly AlgorithmName[] {
  return Object.keys(algorithms) as AlgorithmName[]
}

/**
 * Katib's ValidateAlgorithmSettings, at experiment creation. Paths about the algorithm are
 * relative to `/spec/algorithm` (`/algorithmName`, `/algorithmSettings/1/value`); paths about a
 * parameter are absolute (`/spec/parameters/2/feasibleSpace/step`), found by the parameter's
 * position in `space`, which follows `spec.parameters`. Space checks run only once the settings
 * parse, since they may depend on them.
 */
export function validateAlgorithm(
  name: string | undefined,
  settingsList: readonly RawSetting[],
  space: SearchSpace,
  budget: AlgorithmBudget,
): { issues: SpecIssue[]; warnings: SpecIssue[] } {
  const def = name ? getAlgorithm(name) : undefined
  if (!def) return { issues: [{ path: '/algorithmName', message: unknownAlgorithmMessage(name ?? '') }], warnings: [] }
  const parsed = parseSettings(def, settingsList)
  const settingIssue = (issue: (typeof parsed.issues)[number]) => ({
    path: issue.index === undefined ? '/algorithmSettings' : `/algorithmSettings/${issue.index}/${issue.field ?? 'value'}`,
    message: issue.message,
  })
  const settingWarnings = parsed.warnings.map(settingIssue)
  if (parsed.issues.length > 0) return { issues: parsed.issues.map(settingIssue), warnings: settingWarnings }
  const checks = (def.check?.(space, parsed.settings, budget) ?? []).map((issue) => ({ issue, path: checkIssuePath(issue, space, settingsList) }))
  return {
    issues: checks.filter((c) => !c.issue.warning).map((c) => ({ path: c.path, message: c.issue.message })),
    warnings: [...settingWarnings, ...checks.filter((c) => c.issue.warning).map((c) => ({ path: c.path, message: c.issue.message }))],
  }
}

function unknownAlgorithmMessage(name: string): string {
  const known = algorithmNames()
  if (PLANNED_ALGORITHM_NAMES.includes(name)) {
    const alternatives = known.length > 1 ? `${known.slice(0, -1).join(', ')} or ${known.at(-1)}` : known.join('')
    return `algorithm "${name}" is not available yet in this version; use ${alternatives}`
  }
  if (name === '') return `algorithmName is required; known algorithms: ${known.join(', ')}`
  const guess = didYouMean(name, [...known, ...PLANNED_ALGORITHM_NAMES])
  return `unknown algorithm "${name}"${guess ? `; did you mean "${guess}"?` : '.'} Known algorithms: ${known.join(', ')}`
}

function checkIssuePath(issue: SettingIssue, space: SearchSpace, settingsList: readonly RawSetting[]): string {
  if (issue.parameter !== undefined) {
    const index = space.findIndex((p) => p.name === issue.parameter)
    if (index >= 0) return `/spec/parameters/${index}${issue.field ?? ''}`
  }
  if (issue.setting !== undefined) {
    const index = settingsList.findIndex((s) => s.name === issue.setting)
    return index >= 0 ? `/algorithmSettings/${index}/value` : '/algorithmSettings'
  }
  return issue.parameter !== undefined ? '/spec/parameters' : ''
}
