import type { SpecIssue } from '../core/errors.ts'
import type { Experiment, Position } from '../core/spec/index.ts'
import { parseExperimentYaml, validateExperimentObject } from '../core/spec/index.ts'
import { checkAlgorithm } from './check-algorithm.ts'

export interface CheckedExperiment {
  /** Set only when there are no issues; Katib's defaults are applied. */
  readonly experiment?: Experiment
  /** Every problem at once; with line and col when the input was YAML. */
  readonly issues: readonly SpecIssue[]
  /** Accepted but probably wrong (see core/spec/validate-experiment.ts). */
  readonly warnings: readonly SpecIssue[]
  /** Where a path is in the YAML text; always undefined for JSON input. */
  locate(path: string): Position | undefined
}

/**
 * Every check an Experiment gets before it is stored, whichever way it arrives (`hypertune
 * run`/`validate` read a file, the API a request body): the schema, Katib's webhook rules, ours,
 * then the algorithm's settings and whether it can handle the search space.
 */
export function checkExperimentYaml(text: string, file?: string): CheckedExperiment {
  const parsed = parseExperimentYaml(text, file)
  if (!parsed.experiment) return parsed
  const located = checkAlgorithm(parsed.experiment).map((issue) => ({ ...issue, ...parsed.locate(issue.path) }))
  return located.length > 0 ? { issues: located, warnings: parsed.warnings, locate: parsed.locate } : parsed
}

/** The same checks for an already parsed document (a JSON body); issues carry paths only. */
export function checkExperimentObject(document: unknown): CheckedExperiment {
  const locate = () => undefined
  const result = validateExperimentObject(document)
  if (!result.experiment) return { issues: result.issues, warnings: result.warnings, locate }
  const issues = checkAlgorithm(result.experiment)
  return issues.length > 0 ? { issues, warnings: result.warnings, locate } : { ...result, locate }
}
