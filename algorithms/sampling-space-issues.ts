import type { Parameter, SearchSpace } from '../core/search-space.ts'
import type { SettingIssue } from './algorithm-definition.ts'

/**
 * Search-space problems that would make an algorithm throw at the first suggestion, reported
 * at creation instead. `ignoreDistribution` is for algorithms that do not sample (grid).
 */
export function samplingSpaceIssues(space: SearchSpace, options: { readonly ignoreDistribution?: boolean } = {}): SettingIssue[] {
  return space.flatMap((p) => parameterIssues(p, options.ignoreDistribution ?? false))
}

function parameterIssues(p: Parameter, ignoreDistribution: boolean): SettingIssue[] {
  const at = (field: string, message: string): SettingIssue => ({ parameter: p.name, field, message })
  if (p.type === 'categorical' || p.type === 'discrete') {
    return p.choices.length === 0 ? [at('/feasibleSpace/list', `parameter "${p.name}" has no values; list at least one in feasibleSpace.list`)] : []
  }
  const issues: SettingIssue[] = []
  if (p.max < p.min) issues.push(at('/feasibleSpace', `parameter "${p.name}" has min ${p.min} > max ${p.max}; swap them`))
  if (p.step !== undefined && !(p.step > 0 && Number.isFinite(p.step))) {
    issues.push(at('/feasibleSpace/step', `feasibleSpace.step of parameter "${p.name}" must be a positive number, got ${p.step}`))
  } else if (p.type === 'int' && p.step !== undefined && !Number.isInteger(p.step)) {
    issues.push(at('/feasibleSpace/step', `feasibleSpace.step of int parameter "${p.name}" must be a whole number, got ${p.step}`))
  }
  const isLog = p.distribution === 'logUniform' || p.distribution === 'logNormal'
  if (!ignoreDistribution && isLog && !(p.min > 0)) {
    issues.push(at('/feasibleSpace/min', `parameter "${p.name}" has a ${p.distribution} distribution, which needs min > 0, got ${p.min}; raise min or use distribution uniform`))
  }
  return issues
}
