import { InvalidSpecError, type SpecIssue } from '../../core/errors.ts'
import { EDITABLE_SPEC_FIELDS, joinPointer } from '../../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../../db/store.ts'
import { applySpecChange } from '../../lifecycle/apply-spec-change.ts'
import { checkExperimentObject } from '../../suggestion/check-experiment.ts'
import { inTransaction } from './dry-run.ts'
import type { KubeWriteOptions, KubeWriteResult } from './experiment-create.ts'
import { checkBodyIdentity, droppedMetadataWarnings, sameStringMaps, storedDocument, withMetadata, type KubeBody } from './experiment-document.ts'
import { experimentObject, type KatibExperiment } from './experiment-object.ts'
import { findKubeExperiment } from './find-kube-experiment.ts'
import { applyFieldValidation } from './field-validation.ts'
import { causesFromIssues, conflict, fieldPath, invalid, type KubeStatusCause } from './kube-status.ts'
import { objectMetaCauses } from './validate-object-meta.ts'
import { issueWarnings } from './warnings.ts'

/** Katib's webhook's words for a change of anything else in the spec. */
const EDITABLE_ONLY = 'only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount are editable'
const START_OVER = 'delete the experiment and create it again to start over'

export interface KubeUpdateOptions extends KubeWriteOptions {
  /**
   * An update (PUT) must carry the resourceVersion it was based on, as a server requires of a
   * custom resource; a patch may (it is then a precondition), and usually does not.
   */
  readonly requireResourceVersion: boolean
}

/**
 * An update of an Experiment through the Kubernetes API (PUT, a merge or JSON patch, our
 * server-side apply): `desiredOf` turns the current object into the one the client wants, and
 * the difference is written under Katib's update rules. In one transaction under the
 * experiment's lock: the resourceVersion precondition (409 Conflict when stale), the body's
 * identity, unknown fields by `fieldValidation`, every check a submission gets, then
 *
 * - the spec: only the three counts may change (422 Invalid naming each other field that
 *   differs, FieldValueForbidden as Katib's webhook); new counts go through applySpecChange,
 *   the same rules as the REST API's PATCH and `tunewell run` (a finished experiment restarts
 *   only by its resumePolicy);
 * - labels and annotations: replaced as given, with an `experiment:metadata-changed` event, so
 *   the resourceVersion moves and watches see it;
 * - everything the server owns (uid, creationTimestamp, generation, status) is ignored, as a
 *   server ignores it on the main resource.
 *
 * The lock serialises writers of the experiment, not its trials: a trial event that lands
 * between the check and the write raises the resourceVersion too, but it changed only status,
 * which a client's write never touches, so letting that write through loses nothing.
 */
export async function updateKubeExperiment(
  store: Store,
  namespace: string,
  name: string,
  desiredOf: (current: KatibExperiment) => unknown,
  options: KubeUpdateOptions,
): Promise<KubeWriteResult> {
  return inTransaction(store, options.dryRun, async (tx) => {
    const found = await findKubeExperiment(tx, namespace, name)
    await tx.experiments.lock(found.id)
    const record = await reread(tx, found)
    const current = await experimentObject(tx, record)
    const desired = desiredOf(structuredClone(current))
    checkBodyIdentity(desired, namespace, name)
    checkPreconditions(desired, current, options.requireResourceVersion)
    const validated = applyFieldValidation(desired, options.fieldValidation)
    const wanted = validated.document as KubeBody
    const metaCauses = objectMetaCauses((wanted.metadata ?? {}) as KubeBody)
    if (metaCauses.length > 0) throw invalid('experiments', name, metaCauses)
    const checked = checkExperimentObject(storedDocument(wanted, namespace))
    const issues = checked.experiment ? [...(options.admit?.(checked.experiment) ?? [])] : checked.issues
    if (!checked.experiment || issues.length > 0) throw invalid('experiments', name, causesFromIssues(issues))
    const forbidden = changedPaths(withoutCounts(record.spec.spec), withoutCounts(checked.experiment.spec), '/spec')
    if (forbidden.length > 0) {
      throw invalid('experiments', name, forbidden.map((path): KubeStatusCause => ({ reason: 'FieldValueForbidden', field: fieldPath(path), message: `Forbidden: ${EDITABLE_ONLY}` })))
    }
    let change: string
    try {
      change = (await applySpecChange(tx, record.id, { ...record.spec, spec: checked.experiment.spec }, START_OVER)).change
    } catch (error) {
      if (error instanceof InvalidSpecError) throw invalid('experiments', name, causesFromIssues(error.issues))
      throw error
    }
    const metadata = (wanted.metadata ?? {}) as KubeBody
    const afterSpec = await reread(tx, record)
    if (!sameStringMaps(metadata.labels, afterSpec.spec.metadata.labels) || !sameStringMaps(metadata.annotations, afterSpec.spec.metadata.annotations)) {
      const labels = { ...(metadata.labels as Record<string, string> | undefined) }
      const annotations = { ...(metadata.annotations as Record<string, string> | undefined) }
      await tx.experiments.update(record.id, { spec: withMetadata(afterSpec.spec, labels, annotations) })
      await tx.events.append({ experimentId: record.id, type: 'experiment:metadata-changed', payload: { labels, annotations } })
    }
    return {
      object: await experimentObject(tx, await reread(tx, record)),
      warnings: [...validated.warnings, ...droppedMetadataWarnings(wanted), ...issueWarnings(newWarnings(checked.warnings, record))],
      ...(change !== 'unchanged' && !options.dryRun ? { wake: record.id } : {}),
    }
  })
}

/**
 * The spec checks' warnings this change brings: the stored experiment's own (a missing
 * trialTemplate, say) were said when it was created, and a budget edit need not repeat them.
 */
function newWarnings(warnings: readonly SpecIssue[], record: ExperimentRecord): SpecIssue[] {
  const before = new Set(checkExperimentObject(record.spec).warnings.map((w) => `${w.path}\n${w.message}`))
  return warnings.filter((w) => !before.has(`${w.path}\n${w.message}`))
}

async function reread(store: Store, record: ExperimentRecord): Promise<ExperimentRecord> {
  const now = await store.experiments.get(record.id)
  // Under the lock only a delete could take it, and a delete takes the lock too.
  if (!now) throw new Error(`experiment ${record.name} vanished under its lock`)
  return now
}

/**
 * resourceVersion and uid of the desired object are preconditions, as a server treats them:
 * a stale one is 409 Conflict, and a PUT without a resourceVersion is refused for a custom resource.
 */
function checkPreconditions(desired: KubeBody, current: KatibExperiment, requireResourceVersion: boolean): void {
  const metadata = (desired.metadata ?? {}) as KubeBody
  const name = current.metadata.name
  if (metadata.uid !== undefined && metadata.uid !== '' && metadata.uid !== current.metadata.uid) {
    throw conflict('experiments', name, `Precondition failed: UID in precondition: ${String(metadata.uid)}, UID in object meta: ${current.metadata.uid}`)
  }
  const version = metadata.resourceVersion
  if (version === undefined || version === '') {
    if (requireResourceVersion) {
      throw invalid('experiments', name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }])
    }
    return
  }
  if (String(version) !== current.metadata.resourceVersion) throw conflict('experiments', name)
}

function withoutCounts(spec: object): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...spec }
  for (const key of EDITABLE_SPEC_FIELDS) delete rest[key]
  return rest
}

/** JSON pointers where two plain JSON values differ: the fields a change touches. */
function changedPaths(a: unknown, b: unknown, path: string): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return []
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return [path]
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return [path]
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].flatMap((key) => changedPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], joinPointer(path, key)))
}
