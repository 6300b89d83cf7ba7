import { problemsModuleUrl } from '../problems/load-problems.ts'
import type { MultiObjectiveProblem } from './multiobjective-problem.ts'
import { multiObjectiveProblems } from './multiobjective-problems.ts'

/**
 * The built-in problems, or those a module exports as `problems` (or its default export),
 * checked field by field so that a mistake names the problem and field at fault before any run.
 */
export async function loadMultiObjectiveProblems(specifier?: string): Promise<readonly MultiObjectiveProblem[]> {
  if (specifier === undefined) return multiObjectiveProblems
  let module: Record<string, unknown>
  try {
    module = await import(problemsModuleUrl(specifier)) as Record<string, unknown>
  } catch (error) {
    throw new Error(`cannot load problems module ${specifier}: ${(error as Error).message}`)
  }
  const list = module['problems'] ?? module['default']
  if (!Array.isArray(list) || list.length === 0) throw new Error(`problems module ${specifier} must export "problems", a non-empty array of multi-objective problems`)
  const issues = list.flatMap((p, i) => problemIssues(p, i))
  const names = list.map((p: { name?: unknown }) => p?.name)
  const duplicate = names.find((name, i) => names.indexOf(name) !== i)
  if (duplicate !== undefined) issues.push(`two problems are named ${JSON.stringify(duplicate)}`)
  if (issues.length > 0) throw new Error(`problems module ${specifier} is invalid:\n  - ${issues.join('\n  - ')}`)
  return list as MultiObjectiveProblem[]
}

function problemIssues(problem: unknown, index: number): string[] {
  if (typeof problem !== 'object' || problem === null) return [`problems[${index}] is not an object`]
  const p = problem as Record<string, unknown>
  const at = `problems[${index}]${typeof p['name'] === 'string' ? ` (${p['name']})` : ''}`
  const issues: string[] = []
  if (typeof p['name'] !== 'string' || p['name'] === '') issues.push(`${at}.name must be a non-empty string`)
  if (typeof p['evaluate'] !== 'function') issues.push(`${at}.evaluate must be a function (params) => number[]`)
  if (!Array.isArray(p['params']) || p['params'].length === 0) issues.push(`${at}.params must be a non-empty array (bench/problems/problem.ts' parameter format)`)
  const m = p['objectives']
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 2) issues.push(`${at}.objectives must be an integer >= 2`)
  const ref = p['referencePoint']
  if (!Array.isArray(ref) || ref.length !== m || !ref.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    issues.push(`${at}.referencePoint must be ${typeof m === 'number' ? m : 'one per objective'} finite numbers`)
  }
  if (typeof p['trueHypervolume'] !== 'number' || !(p['trueHypervolume'] > 0)) issues.push(`${at}.trueHypervolume must be a positive number`)
  const count = p['constraintCount'] ?? 0
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) issues.push(`${at}.constraintCount must be a non-negative integer`)
  else if (count > 0 && typeof p['constraints'] !== 'function') issues.push(`${at}.constraints must be a function (params) => number[] when constraintCount is ${count}`)
  return issues
}
