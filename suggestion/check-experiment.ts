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
  /**
   * Valid Katib this version cannot run yet (the NAS algorithms enas and darts): `validate`
   * accepts the experiment with a note, `run` and a submission to `serve` refuse it.
   */
  readonly unsupported: readonly SpecIssue[]
  /** Where a path is in the YAML text; always undefined for JSON input. */
  locate(path: string): Position | undefined
}

/**
 * Every check an Experiment gets before it is stored, whichever way it arrives (`tunewell
 * run`/`validate` read a file, the API a request body): the schema, Katib's webhook rules, ours,
 * then the algorithm's settings and whether it can handle the search space.
 */
export function checkExperimentYaml(text: string, file?: string): CheckedExperiment {
  const parsed = parseExperimentYaml(text, file)
  return withAlgorithm(parsed.experiment, parsed.issues, parsed.warnings, parsed.locate)
}

/** The same checks for an already parsed document (a JSON body); issues carry paths only. */
export function checkExperimentObject(document: unknown): CheckedExperiment {
  const result = validateExperimentObject(document)
  return withAlgorithm(result.experiment, result.issues, result.warnings, () => undefined)
}

function withAlgorithm(experiment: Experiment | undefined, issues: readonly SpecIssue[], warnings: readonly SpecIssue[], locate: (path: string) => Position | undefined): CheckedExperiment {
  if (!experiment) return { issues, warnings, unsupported: [], locate }
  const located = (list: readonly SpecIssue[]) => list.map((issue) => ({ ...issue, ...locate(issue.path) }))
  const algorithm = checkAlgorithm(experiment)
  const allWarnings = [...warnings, ...located(algorithm.warnings)]
  if (algorithm.issues.length > 0) return { issues: located(algorithm.issues), warnings: allWarnings, unsupported: [], locate }
  return { experiment, issues: [], warnings: allWarnings, unsupported: located(algorithm.unsupported), locate }
}
