import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { TunewellError } from '../../core/errors.ts'
import type { Database } from '../schema.ts'
import type {
  ExperimentPageQuery, ExperimentPatch, ExperimentPosition, ExperimentRecord, ExperimentState, ExperimentStore, NewExperiment, Page,
  TrialStateCount,
} from '../store.ts'
import { experimentPatchToUpdate, experimentRowToRecord, toJsonb } from './mappers.ts'
import { pageExperiments } from './page-experiments.ts'

export class KyselyExperimentStore implements ExperimentStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async create(input: NewExperiment): Promise<ExperimentRecord> {
    // ON CONFLICT instead of catching 23505: a failed statement would abort the caller's transaction.
    const row = await this.#db
      .insertInto('experiments')
      .values({ id: randomUUID(), name: input.name, spec: toJsonb(input.spec), state: 'Created', seed: input.seed })
      .onConflict((oc) => oc.column('name').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (!row) {
      throw new TunewellError(
        'EXPERIMENT_EXISTS',
        `experiment "${input.name}" already exists; pick another metadata.name or delete the existing experiment first`,
      )
    }
    return experimentRowToRecord(row)
  }

  async get(id: string): Promise<ExperimentRecord | undefined> {
    const row = await this.#db.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst()
    return row && experimentRowToRecord(row)
  }

  async getByName(name: string): Promise<ExperimentRecord | undefined> {
    const row = await this.#db.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirst()
    return row && experimentRowToRecord(row)
  }

  async list(): Promise<ExperimentRecord[]> {
    const rows = await this.#db.selectFrom('experiments').selectAll().orderBy('created_at').orderBy('name').execute()
    return rows.map(experimentRowToRecord)
  }

  page(query: ExperimentPageQuery): Promise<Page<ExperimentRecord, ExperimentPosition>> {
    return pageExperiments(this.#db, query)
  }

  async transition(
    id: string,
    from: readonly ExperimentState[],
    patch: ExperimentPatch & { readonly state: ExperimentState },
  ): Promise<ExperimentRecord | undefined> {
    if (from.length === 0) return undefined
    const row = await this.#db
      .updateTable('experiments')
      .set(experimentPatchToUpdate(patch))
      .where('id', '=', id)
      .where('state', 'in', from)
      .returningAll()
      .executeTakeFirst()
    return row && experimentRowToRecord(row)
  }

  async update(id: string, patch: ExperimentPatch): Promise<ExperimentRecord> {
    const update = experimentPatchToUpdate(patch)
    const row =
      Object.keys(update).length === 0
        ? await this.#db.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst()
        : await this.#db.updateTable('experiments').set(update).where('id', '=', id).returningAll().executeTakeFirst()
    if (!row) throw experimentNotFound(id)
    return experimentRowToRecord(row)
  }

  async lock(id: string): Promise<void> {
    if (!this.#db.isTransaction) {
      // Outside a transaction the row lock would be released as soon as it is taken.
      throw new Error('experiments.lock() must be called inside store.transaction()')
    }
    // NO KEY UPDATE serialises lockers and updates of the row alike, but not the foreign-key
    // checks of rows inserted for the experiment (trials' points, events): a tell or an ask does
    // not wait while suggestions are created under this lock.
    const row = await this.#db.selectFrom('experiments').select('id').where('id', '=', id).forNoKeyUpdate().executeTakeFirst()
    if (!row) throw experimentNotFound(id)
  }

  async delete(id: string): Promise<void> {
    // Trials, observations, algorithm state and events go with it (ON DELETE CASCADE).
    const row = await this.#db.deleteFrom('experiments').where('id', '=', id).returning('id').executeTakeFirst()
    if (!row) throw experimentNotFound(id)
  }

  async countByState(): Promise<Record<ExperimentState, number>> {
    const rows = await this.#db.selectFrom('experiments').select((eb) => ['state', eb.fn.countAll().as('count')]).groupBy('state').execute()
    const counts: Record<ExperimentState, number> = { Created: 0, Running: 0, Restarting: 0, Succeeded: 0, Failed: 0 }
    for (const r of rows) counts[r.state] = Number(r.count)
    return counts
  }

  async trialCountsByState(): Promise<TrialStateCount[]> {
    // Grouped by id first (an index-only scan of trials_experiment_id_state_number_idx when the
    // visibility map allows), names joined to the few groups afterwards.
    const rows = await this.#db
      .with('counts', (db) => db.selectFrom('trials').select((eb) => ['experiment_id', 'state', eb.fn.countAll().as('count')]).groupBy(['experiment_id', 'state']))
      .selectFrom('counts')
      .innerJoin('experiments', 'experiments.id', 'counts.experiment_id')
      .select(['experiments.name', 'counts.state', 'counts.count'])
      .orderBy('experiments.name')
      .orderBy('counts.state')
      .execute()
    return rows.map((r) => ({ experimentName: r.name, state: r.state, count: Number(r.count) }))
  }
}

export function experimentNotFound(id: string): TunewellError {
  return new TunewellError('EXPERIMENT_NOT_FOUND', `experiment ${id} not found`)
}
