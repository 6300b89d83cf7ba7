import { InvalidSpecError, TunewellError, type SpecIssue } from '../../../core/errors.ts'
import type { Experiment } from '../../../core/spec/index.ts'
import type { ExperimentRecord, Store } from '../../../db/store.ts'
import { applySpecChange } from '../../../lifecycle/apply-spec-change.ts'
import type { Json } from '../workload-api.ts'
import { checkResource } from './check-resource.ts'
import { createOwnedExperiment } from './create-owned-experiment.ts'
import { deleteOwnedExperiment, type DeleteOwnedDeps } from './delete-owned-experiment.ts'
import type { ExperimentResourceRef } from './experiment-resource.ts'
import { refOf } from './experiment-resource-watch.ts'
import { resourceRefOf } from './operator-ownership.ts'

/** What the operator needs of helper 2's ExperimentStatusWriter (experiment-status-writer.ts). */
export interface StatusWriter {
  write(resource: ExperimentResourceRef, experimentId: string): Promise<void>
  writeInvalid(resource: ExperimentResourceRef, problems: readonly string[]): Promise<void>
}

export interface SyncDeps extends Omit<DeleteOwnedDeps, 'log'> {
  /** The server's admission of an experiment (the parallel-trial limit, the cluster executor's check). */
  readonly admit: (experiment: Experiment) => readonly SpecIssue[]
  /** The supervisor's wake: a new or changed experiment is run now. */
  readonly wake: (experimentId: string) => void
  readonly status: StatusWriter
  readonly events: { warn(resource: ExperimentResourceRef, reason: string, message: string): Promise<void> }
  /** The resource as the API server has it now (undefined: none of that name), before anything is deleted for it. */
  readonly readResource: (namespace: string, name: string) => Promise<Json | undefined>
  readonly log: { info(message: string): void; warn(message: string): void }
}

/** One operator-owned experiment this operator knows of. */
export interface OwnedExperiment {
  readonly ref: ExperimentResourceRef
  readonly experimentId: string
}

const START_OVER = 'delete the Experiment resource and create it again to start over'

/**
 * Keeps the database in step with Experiment resources, one step at a time, each idempotent
 * (level-triggered: doing one twice, or after a restart, changes nothing more):
 * - a resource with no experiment: checked as a submission would be, then created (Created, the
 *   supervisor runs it) or, invalid, given a Failed condition listing every problem;
 * - a resource with its experiment: spec edits applied by Katib's update rules
 *   (lifecycle/apply-spec-change.ts), any other edit refused with a Warning Event;
 * - an experiment whose resource is gone (or was replaced: same name, another uid): deleted with
 *   its trials' workloads.
 * Experiment names are unique across namespaces here, so a resource whose name an experiment not
 * from it holds waits, Failed, saying which and how to free the name.
 */
export class ExperimentSync {
  readonly #d: SyncDeps
  /** uid → the operator-owned experiment of that resource. */
  readonly #owned = new Map<string, OwnedExperiment>()
  /** uid → the metadata.generation whose spec was last judged (applied or refused): not judged again. */
  readonly #judged = new Map<string, number>()
  /** uid → the problems last written as its Failed condition: not written again while they stand. */
  readonly #invalid = new Map<string, string>()

  constructor(deps: SyncDeps) {
    this.#d = deps
  }

  /** The operator-owned experiments this operator keeps the status of. */
  owned(): OwnedExperiment[] {
    return [...this.#owned.values()]
  }

  /** A resource as the watch has it now. */
  async apply(resource: Json): Promise<void> {
    const ref = refOf(resource)
    if (!ref.uid || !ref.name || !ref.namespace) return
    if (resource.metadata?.deletionTimestamp) return this.deleted(ref)
    const generation = Number(resource.metadata?.generation ?? 0)
    if (this.#owned.has(ref.uid) && this.#judged.get(ref.uid) === generation) return
    const record = await this.#d.store.experiments.getByName(ref.name)
    const holder = record && resourceRefOf(record.spec)
    if (record && holder?.uid === ref.uid) return this.#edited(resource, ref, record, generation)
    if (record && holder?.namespace === ref.namespace) {
      // Same namespace and name, another uid: the old resource was deleted and this one created
      // while no controller watched. The old one is confirmed gone first.
      if (!(await this.#gone(holder))) return
      await this.#delete(record, holder, `its Experiment resource ${holder.namespace}/${holder.name} was deleted and created again`)
    } else if (record) {
      return this.#invalidate(ref, [`metadata.name: ${takenBy(record, holder)}`])
    }
    const checked = checkResource(resource, ref, this.#d.admit)
    if (!checked.experiment) return this.#invalidate(ref, checked.problems)
    let created: ExperimentRecord
    try {
      created = await createOwnedExperiment(this.#d.store, checked.experiment)
    } catch (error) {
      // Taken meanwhile (another replica created it, or an API submission): judged on the next pass.
      if (error instanceof TunewellError && error.code === 'EXPERIMENT_EXISTS') return
      // A warm start that names no experiment, or one that does not fit: the resource cannot run.
      if (error instanceof InvalidSpecError) return this.#invalidate(ref, error.issues.map((issue) => `${issue.path}: ${issue.message}`))
      throw error
    }
    this.#invalid.delete(ref.uid)
    this.#owned.set(ref.uid, { ref, experimentId: created.id })
    this.#judged.set(ref.uid, generation)
    this.#d.log.info(`Experiment ${ref.namespace}/${ref.name}: created experiment "${ref.name}"`)
    this.#d.wake(created.id)
    await this.#d.status.write(ref, created.id)
  }

  /** A resource is gone (a DELETED event, or being deleted): its experiment goes with it. */
  async deleted(ref: ExperimentResourceRef): Promise<void> {
    this.#invalid.delete(ref.uid)
    const record = await this.#d.store.experiments.getByName(ref.name)
    const holder = record && resourceRefOf(record.spec)
    if (!record || holder?.uid !== ref.uid || holder.namespace !== ref.namespace) {
      this.#forget(ref.uid)
      return
    }
    if (!(await this.#gone(holder))) return
    await this.#delete(record, holder, `its Experiment resource ${ref.namespace}/${ref.name} was deleted`)
  }

  /**
   * The resync's other half: every operator-owned experiment of a watched namespace (`covers`,
   * its first list in) whose resource the watch does not have (`present`: the uid of the
   * resource of that namespace and name, if any) is deleted once the API server confirms the
   * resource is gone; and owned experiments deleted from the database (`tunewell delete`) are
   * forgotten, so their resource creates them again.
   */
  async collect(covers: (namespace: string) => boolean, present: (namespace: string, name: string) => string | undefined): Promise<void> {
    const inDatabase = new Set<string>()
    for (const record of await this.#d.store.experiments.list()) {
      const holder = resourceRefOf(record.spec)
      if (!holder) continue
      inDatabase.add(holder.uid)
      if (!covers(holder.namespace)) continue
      if (present(holder.namespace, holder.name) === holder.uid) {
        if (!this.#owned.has(holder.uid)) this.#owned.set(holder.uid, { ref: holder, experimentId: record.id })
        continue
      }
      if (!(await this.#gone(holder))) continue
      await this.#delete(record, holder, `its Experiment resource ${holder.namespace}/${holder.name} was deleted`)
    }
    for (const uid of [...this.#owned.keys()]) if (!inDatabase.has(uid)) this.#forget(uid)
  }

  /** An existing experiment of this resource: its spec edits, by Katib's update rules. */
  async #edited(resource: Json, ref: ExperimentResourceRef, record: ExperimentRecord, generation: number): Promise<void> {
    this.#owned.set(ref.uid, { ref, experimentId: record.id })
    this.#invalid.delete(ref.uid)
    const checked = checkResource(resource, ref, this.#d.admit)
    if (!checked.experiment) {
      await this.#refuse(ref, generation, 'InvalidSpecChange', `the edited spec is not applied, it is invalid: ${checked.problems.join('; ')}`)
      return
    }
    // The stored document with the resource's spec: metadata edits (labels, annotations) are no spec change.
    const next: Experiment = { ...record.spec, spec: checked.experiment.spec }
    try {
      const { change } = await applySpecChange(this.#d.store, record.id, next, START_OVER)
      this.#judged.set(ref.uid, generation)
      if (change === 'unchanged') return
      this.#d.log.info(`Experiment ${ref.namespace}/${ref.name}: spec edit applied (${change === 'restart' ? 'restarting with a larger budget' : 'counts updated'})`)
      this.#d.wake(record.id)
      await this.#d.status.write(ref, record.id)
    } catch (error) {
      if (!(error instanceof InvalidSpecError)) throw error
      await this.#refuse(ref, generation, 'SpecChangeRefused', error.message)
    }
  }

  /** An edit not applied (we have no admission webhook to refuse it): said once per generation, on the resource. */
  async #refuse(ref: ExperimentResourceRef, generation: number, reason: string, message: string): Promise<void> {
    this.#judged.set(ref.uid, generation)
    const text = `${message}; the experiment goes on with the spec it was running (only spec.parallelTrialCount, ` +
      'spec.maxTrialCount and spec.maxFailedTrialCount can be edited, by Katib\'s update rules)'
    this.#d.log.warn(`Experiment ${ref.namespace}/${ref.name}: ${text}`)
    await this.#d.events.warn(ref, reason, text)
  }

  /** A resource that cannot run: its Failed condition, written once while its problems stay the same. */
  async #invalidate(ref: ExperimentResourceRef, problems: readonly string[]): Promise<void> {
    this.#forget(ref.uid)
    const text = problems.join('\n')
    if (this.#invalid.get(ref.uid) === text) return
    this.#d.log.warn(`Experiment ${ref.namespace}/${ref.name} is not run: ${problems.join('; ')}`)
    await this.#d.status.writeInvalid(ref, problems)
    this.#invalid.set(ref.uid, text)
  }

  async #delete(record: ExperimentRecord, holder: ExperimentResourceRef, why: string): Promise<void> {
    this.#d.log.info(`experiment "${record.name}": deleting it and its trials' workloads: ${why}`)
    await deleteOwnedExperiment({ ...this.#d, log: (message) => this.#d.log.warn(message) }, record, why)
    this.#forget(holder.uid)
  }

  /** Whether the API server confirms the resource is gone (none of that name, or another uid): a watch may lag behind. */
  async #gone(holder: ExperimentResourceRef): Promise<boolean> {
    const current = await this.#d.readResource(holder.namespace, holder.name)
    return current === undefined || current.metadata?.uid !== holder.uid || Boolean(current.metadata?.deletionTimestamp)
  }

  #forget(uid: string): void {
    this.#owned.delete(uid)
    this.#judged.delete(uid)
  }
}

function takenBy(record: ExperimentRecord, holder: ExperimentResourceRef | undefined): string {
  const name = record.name
  const why = 'experiment names are unique across namespaces in Tunewell'
  return holder
    ? `the name "${name}" is taken by the experiment of the Experiment resource ${holder.namespace}/${holder.name} (${why}); ` +
      `rename this Experiment, or delete that one (kubectl delete experiment ${holder.name} -n ${holder.namespace}) and this one is created`
    : `the name "${name}" is taken by an experiment submitted through the API or \`tunewell run\` (${why}); ` +
      `rename this Experiment, or delete that experiment (tunewell delete ${name}) and this one is created`
}
