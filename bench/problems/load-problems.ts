import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import type { Problem } from './problem.ts'
import { singleFidelityProblems } from './single-fidelity-problems.ts'

/**
 * Imports a problems module (`export const problems = [...]`, or a default export of that array)
 * and checks its shape, so a mistake is reported with the problem and field at fault instead of
 * as a crash halfway through a benchmark. `specifier` is a file path (relative to the working
 * directory) or a URL; without one, the 8 built-in single-fidelity problems.
 */
export async function loadProblems(specifier?: string): Promise<readonly Problem[]> {
  if (specifier === undefined) return singleFidelityProblems
  const url = problemsModuleUrl(specifier)
  let module: Record<string, unknown>
  try {
    module = await import(url) as Record<string, unknown>
  } catch (error) {
    throw new Error(`cannot load problems module ${specifier}: ${(error as Error).message}`)
  }
  const list = module['problems'] ?? module['default']
  if (!Array.isArray(list)) throw new Error(`problems module ${specifier} must export "problems", an array of problems; it exports ${Object.keys(module).join(', ') || 'nothing'}`)
  if (list.length === 0) throw new Error(`problems module ${specifier} exports an empty "problems" array`)
  const issues = list.flatMap((problem, i) => problemIssues(problem, i))
  const names = list.map((p: { name?: unknown }) => p?.name)
  const duplicate = names.find((name, i) => names.indexOf(name) !== i)
  if (duplicate !== undefined) issues.push(`two problems are named ${JSON.stringify(duplicate)}`)
  if (issues.length > 0) throw new Error(`problems module ${specifier} is invalid:\n  - ${issues.join('\n  - ')}`)
  return list as Problem[]
}

/** A file URL for a path, or the URL itself; workers import the same URL. */
export function problemsModuleUrl(specifier: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier) ? specifier : pathToFileURL(resolve(specifier)).href
}

function problemIssues(problem: unknown, index: number): string[] {
  if (typeof problem !== 'object' || problem === null) return [`problems[${index}] is not an object`]
  const p = problem as Record<string, unknown>
  const at = `problems[${index}]${typeof p['name'] === 'string' ? ` (${p['name']})` : ''}`
  const issues: string[] = []
  if (typeof p['name'] !== 'string' || p['name'] === '') issues.push(`${at}.name must be a non-empty string`)
  if (typeof p['evaluate'] !== 'function') issues.push(`${at}.evaluate must be a function (params) => number`)
  if (typeof p['globalMin'] !== 'number' || !Number.isFinite(p['globalMin'])) issues.push(`${at}.globalMin must be a finite number`)
  if (!Array.isArray(p['params']) || p['params'].length === 0) issues.push(`${at}.params must be a non-empty array`)
  else p['params'].forEach((param: unknown, j: number) => issues.push(...paramIssues(param, `${at}.params[${j}]`)))
  return issues
}

function paramIssues(param: unknown, at: string): string[] {
  if (typeof param !== 'object' || param === null) return [`${at} is not an object`]
  const p = param as Record<string, unknown>
  if (typeof p.name !== 'string' || p.name === '') return [`${at}.name must be a non-empty string`]
  const where = `${at} (${p.name})`
  if (p.type === 'categorical') {
    return Array.isArray(p.choices) && p.choices.length > 0 && p.choices.every((c: unknown) => typeof c === 'string')
      ? []
      : [`${where}.choices must be a non-empty array of strings`]
  }
  if (p.type !== 'double' && p.type !== 'int') return [`${where}.type must be "double", "int" or "categorical", got ${JSON.stringify(p.type)}`]
  const issues: string[] = []
  if (typeof p.low !== 'number' || typeof p.high !== 'number' || !(p.low <= p.high)) issues.push(`${where} needs numbers low <= high`)
  else if (p.log === true && !(p.low > 0)) issues.push(`${where} is log-scaled and needs low > 0`)
  if (p.step !== undefined && !(typeof p.step === 'number' && p.step > 0)) issues.push(`${where}.step must be a positive number`)
  if (p.log !== undefined && typeof p.log !== 'boolean') issues.push(`${where}.log must be true or false`)
  return issues
}
