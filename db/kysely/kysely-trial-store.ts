import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { HypertuneError } from '../../core/errors.ts'
import { TRIAL_STATES, type TrialState } from '../../core/trial.ts'
import type { Database } from '../schema.ts'
import type { NewTrial, Page, TrialPageQuery, TrialPatch, TrialPosition, TrialRecord, TrialStore } from '../store.ts'
import type { KyselyStore } from '../kysely-store.ts'
import { toJsonb, trialPatchToUpdate, trialRowToRecord } from './mappers.ts'
import { pageTrials } from './page-trials.ts'

export class KyselyTrialStore implements TrialStore {
  readonly #db: Kysely<Database>
  readonly #owner: KyselyStore

  /** `owner` is the store this one belongs to, for opening (or joining) its transaction. */
  constructor(db: Kysely<Database>, owner: KyselyStore) {
    this.#db = db
    this.#owner = owner
  }

  async createMany(experimentId: string, trials: readonly NewTrial[]): Promise<TrialRecord[]> {
    if (trials.length === 0) return []
    // Taking the lock here as well makes a forgotten lock in the caller harmless; inside the
    // caller's transaction it is a no-op re-lock of a row it already holds.
    return this.#owner.transaction(async (tx) => {
      await tx.experiments.lock(experimentId)
      return tx.trials.#insertAfterMax(experimentId, trials)
    })
  }

  async #insertAfterMax(experimentId: string, trials: readonly NewTrial[]): Promise<TrialRecord[]> {
    const { max } = await this.#db
      .selectFrom('trials')
      .select((eb) => eb.fn.max('number').as('max'))
      .where('experiment_id', '=', experimentId)
      .executeTakeFirstOrThrow()
    const first = max === null ? 0 : Number(max) + 1
    const rows = await this.#db
      .insertInto('trials')
      .values(
        trials.map((t, i) => ({
          id: randomUUID(),
          experiment_id: experimentId,
          number: first + i,
          name: t.name,
          state: 'Pending' as const,
          params: toJsonb(t.params),
        })),
      )
      .returningAll()
      .execute()
    return rows.map(trialRowToRecord).sort((a, b) => a.number - b.number)
  }

  async get(id: string): Promise<TrialRecord | undefined> {
    const row = await this.#db.selectFrom('trials').selectAll().where('id', '=', id).executeTakeFirst()
    return row && trialRowToRecord(row)
  }

  async getByName(name: string): Promise<TrialRecord | undefined> {
    const row = await this.#db.selectFrom('trials').selectAll().where('name', '=', name).executeTakeFirst()
    return row && trialRowToRecord(row)
  }

  async list(experimentId: string, filter?: { readonly states?: readonly TrialState[] }): Promise<TrialRecord[]> {
    const states = filter?.states
    if (states && states.length === 0) return []
    let query = this.#db.selectFrom('trials').selectAll().where('experiment_id', '=', experimentId)
    if (states) query = query.where('state', 'in', states)
    const rows = await query.orderBy('number').execute()
    return rows.map(trialRowToRecord)
  }

  async transition(id: string, from: readonly TrialState[], to: TrialState, patch?: TrialPatch): Promise<boolean> {
    if (from.length === 0) return false
    const row = await this.#db
      .updateTable('trials')
      .set({ ...(patch ? trialPatchToUpdate(patch) : {}), state: to })
      .where('id', '=', id)
      .where('state', 'in', from)
      .returning('id')
      .executeTakeFirst()
    return row !== undefined
  }

  async update(id: string, patch: TrialPatch): Promise<TrialRecord> {
    const update = trialPatchToUpdate(patch)
    const row =
      Object.keys(update).length === 0
        ? await this.#db.selectFrom('trials').selectAll().where('id', '=', id).executeTakeFirst()
        : await this.#db.updateTable('trials').set(update).where('id', '=', id).returningAll().executeTakeFirst()
    if (!row) throw trialNotFound(id)
    return trialRowToRecord(row)
  }

  async countByState(experimentId: string): Promise<Record<TrialState, number>> {
    const rows = await this.#db
      .selectFrom('trials')
      .select((eb) => ['state', eb.fn.countAll().as('count')])
      .where('experiment_id', '=', experimentId)
      .groupBy('state')
      .execute()
    const counts = zeroCounts()
    for (const row of rows) counts[row.state] = Number(row.count)
    return counts
  }

  async countByStateForExperiments(experimentIds: readonly string[]): Promise<Map<string, Record<TrialState, number>>> {
    const counts = new Map(experimentIds.map((id) => [id, zeroCounts()]))
    if (experimentIds.length === 0) return counts
    const rows = await this.#db
      .selectFrom('trials')
      .select((eb) => ['experiment_id', 'state', eb.fn.countAll().as('count')])
      .where('experiment_id', 'in', experimentIds)
      .groupBy(['experiment_id', 'state'])
      .execute()
    for (const row of rows) counts.get(row.experiment_id)![row.state] = Number(row.count)
    return counts
  }

  page(experimentId: string, query: TrialPageQuery): Promise<Page<TrialRecord, TrialPosition>> {
    return pageTrials(this.#db, experimentId, query)
  }
}

function zeroCounts(): Record<TrialState, number> {
  return Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>
}

export function trialNotFound(id: string): HypertuneError {
  return new HypertuneError('TRIAL_NOT_FOUND', `trial ${id} not found`)
}
