import type { NumericParameter, SearchSpace } from '../../core/search-space.ts'
import { formatParamValue } from '../../core/search-space.ts'
import type { SettingIssue } from '../algorithm-definition.ts'
import { didYouMean } from '../did-you-mean.ts'
import { hyperbandSchedule } from './bracket-schedule.ts'

/** The smallest resource increment of the parameter: its step, or 1 (Katib's unit) without one. */
export function resourceUnit(p: NumericParameter): number {
  return p.step ?? 1
}

/** The parameter value for a rung's resource: on the parameter's grid, inside its bounds. */
export function resourceValue(p: NumericParameter, resource: number): number {
  const step = p.type === 'int' ? Math.max(1, p.step ?? 1) : p.step
  const snapped = step === undefined ? resource : p.min + Math.round((resource - p.min) / step) * step
  const value = Math.min(p.max, Math.max(p.min, snapped))
  return Number(formatParamValue(p.type === 'int' ? Math.round(value) : value))
}

/** The resource parameter when `name` names an int or double one. */
export function findResourceParameter(space: SearchSpace, name: string | undefined): NumericParameter | undefined {
  const p = space.find((q) => q.name === name)
  return p && (p.type === 'int' || p.type === 'double') ? p : undefined
}

/**
 * Why hyperband cannot run with this resource: the parameter is missing or not numeric, or the
 * rungs `r_l`·eta^−i would not fit its feasible space. Reported at creation, never at run time.
 */
export function resourceIssues(space: SearchSpace, resourceName: string, maxResource: number, eta: number): SettingIssue[] {
  const p = space.find((q) => q.name === resourceName)
  if (!p) {
    const guess = didYouMean(resourceName, space.map((q) => q.name))
    return [{
      setting: 'resource_name',
      message: `resource_name "${resourceName}" is not a parameter${guess ? `; did you mean "${guess}"?` : ''}. Name the int or double parameter that sets the training budget (e.g. epochs); parameters: ${space.map((q) => q.name).join(', ') || 'none'}`,
    }]
  }
  if (p.type !== 'int' && p.type !== 'double') {
    return [{
      parameter: p.name, field: '/parameterType',
      message: `resource parameter "${p.name}" is ${p.type}; hyperband sets the resource to numbers such as 1, 3, 9 epochs, so it must be an int or double parameter`,
    }]
  }
  const unit = resourceUnit(p)
  if (!(maxResource >= unit * (1 - 1e-9))) {
    return [{
      setting: 'r_l',
      message: `r_l ${maxResource} is below one step (${unit}) of resource parameter "${p.name}"; r_l is the most resource one trial gets (e.g. 81 epochs), so it must be at least ${unit}`,
    }]
  }
  const issues: SettingIssue[] = []
  // Katib's hyperband sets the resource itself and never reads its max (its own
  // hp-tuning/hyperband.yaml has r_l 2 over max 1), so this is accepted; the rungs above max
  // run with max here, which repeats a rung rather than giving the trial more resource.
  if (maxResource > p.max * (1 + 1e-9)) {
    issues.push({
      parameter: p.name, field: '/feasibleSpace/max', warning: true,
      message: `r_l ${maxResource} is above feasibleSpace.max ${p.max} of resource parameter "${p.name}", so the rungs above ${p.max} run with "${p.name}" ${p.max}; raise max to ${maxResource} or lower r_l`,
    })
  }
  const schedule = hyperbandSchedule(maxResource, eta, unit)
  const smallest = schedule.brackets[0]!.rungs[0]!.resource
  if (smallest < p.min * (1 - 1e-9)) {
    issues.push({
      parameter: p.name, field: '/feasibleSpace/min',
      message: `with r_l ${maxResource} and eta ${eta} the smallest rung gives "${p.name}" ${Number(formatParamValue(smallest))}, below its feasibleSpace.min ${p.min}; lower min to ${Number(formatParamValue(smallest))} or below`,
    })
  }
  return issues
}
