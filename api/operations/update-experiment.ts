import { InvalidSpecError, type SpecIssue } from '../../core/errors.ts'
import type { Experiment } from '../../core/spec/index.ts'
import { EDITABLE_SPEC_FIELDS, joinPointer } from '../../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../../db/store.ts'
import { applySpecChange } from '../../lifecycle/apply-spec-change.ts'
import { checkExperimentObject } from '../../suggestion/check-experiment.ts'
import { findExperiment } from './find-experiment.ts'

const EDITABLE: readonly string[] = EDITABLE_SPEC_FIELDS
const ONLY = 'only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount can change (Katib\'s update rules)'

/**
 * A merge patch of the three counts Katib lets change, with Katib's rules (core/spec/spec-change.ts,
 * as `tunewell run` applies them to a changed file): any other field is 422 naming it; the
 * patched spec must still validate (counts up to Katib's int32) and pass `admit` as a submission
 * would (the server's parallel-trial limit); a completed experiment restarts only under its
 * resumePolicy.
 */
export async function updateExperiment(
  store: Store,
  name: string,
  patch: Record<string, unknown>,
  admit?: (experiment: Experiment) => readonly SpecIssue[],
): Promise<ExperimentRecord> {
  const refused = disallowedFields(patch)
  if (refused.length > 0) throw new InvalidSpecError(refused)
  const counts = (patch.spec ?? {}) as Record<string, unknown>
  return store.transaction(async (tx) => {
    const record = await findExperiment(tx, name)
    await tx.experiments.lock(record.id)
    const current = record.spec
    const next = structuredClone(current)
    for (const key of EDITABLE) if (counts[key] !== undefined) (next.spec as Record<string, unknown>)[key] = counts[key]
    const checked = checkExperimentObject(next)
    if (!checked.experiment) throw new InvalidSpecError(checked.issues)
    const refused = admit?.(checked.experiment) ?? []
    if (refused.length > 0) throw new InvalidSpecError([...refused])
    // Judged again on the row as it is under the lock, changed by compare-and-set with its event.
    const { experiment } = await applySpecChange(tx, record.id, checked.experiment, 'delete the experiment and submit it again to start over')
    return experiment
  })
}

function disallowedFields(patch: Record<string, unknown>): SpecIssue[] {
  const issues: SpecIssue[] = []
  for (const key of Object.keys(patch)) {
    if (key !== 'spec') issues.push({ path: joinPointer('', key), message: `${key} cannot be changed; ${ONLY}` })
  }
  const spec = patch.spec
  if (spec !== undefined) {
    for (const key of Object.keys(spec as object)) {
      if (!EDITABLE.includes(key)) issues.push({ path: joinPointer('/spec', key), message: `spec.${key} cannot be changed; ${ONLY}` })
    }
  }
  return issues
}
