import type { SpecIssue } from '../../core/errors.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { checkExperimentObject, checkExperimentYaml } from '../../suggestion/check-experiment.ts'

export type Submission = { readonly yaml: string } | { readonly json: unknown }

export interface CheckedSubmission {
  /** Set only when there are no issues. */
  readonly experiment?: Experiment
  readonly issues: readonly SpecIssue[]
  readonly warnings: readonly SpecIssue[]
  /** Where a path is in the submitted YAML (nothing for JSON). */
  locate(path: string): { line: number; col: number } | undefined
}

/**
 * What a submission gets before it is stored: the CLI's checks (suggestion/check-experiment.ts),
 * then `admit`'s (e.g. can this server run it), located in the YAML. Shared by the submit and
 * the validate routes so that a validation passes exactly when a submission would.
 */
export function checkSubmission(submission: Submission, admit?: (experiment: Experiment) => readonly SpecIssue[]): CheckedSubmission {
  const checked = 'yaml' in submission ? checkExperimentYaml(submission.yaml) : checkExperimentObject(submission.json)
  if (!checked.experiment) return checked
  // What `validate` only notes (an algorithm this version lacks, e.g. enas) no server can run.
  const refused = [...checked.unsupported, ...(admit?.(checked.experiment) ?? []).map((issue) => ({ ...issue, ...checked.locate(issue.path) }))]
  return refused.length > 0 ? { issues: refused, warnings: checked.warnings, locate: checked.locate } : checked
}
