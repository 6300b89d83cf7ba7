import { sql, type Kysely } from 'kysely'
import type { MetricPoint } from '../../core/metric.ts'
import type { Database, NewObservationRow } from '../schema.ts'
import type { ObservationStore } from '../store.ts'
import type { KyselyStore } from '../kysely-store.ts'
import { observationRowToPoint } from './mappers.ts'
import { trialNotFound } from './kysely-trial-store.ts'

/** Rows per INSERT: 6 parameters each keeps a statement far below PostgreSQL's 65535-parameter cap. */
const CHUNK = 1000

type Summary = { min: number; max: number; latest: number; count: number }

export class KyselyObservationStore implements ObservationStore {
  readonly #db: Kysely<Database>
  readonly #owner: KyselyStore

  constructor(db: Kysely<Database>, owner: KyselyStore) {
    this.#db = db
    this.#owner = owner
  }

  async append(trialId: string, points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return
    const trial = await this.#db.selectFrom('trials').select('experiment_id').where('id', '=', trialId).executeTakeFirst()
    if (!trial) throw trialNotFound(trialId)
    // One statement may not upsert the same key twice, so a batch that repeats a point keeps its last copy.
    const byKey = new Map<string, NewObservationRow>()
    for (const p of points) {
      byKey.set(JSON.stringify([p.name, p.step]), {
        trial_id: trialId,
        experiment_id: trial.experiment_id,
        metric_name: p.name,
        step: p.step,
        value: p.value,
        recorded_at: p.at,
      })
    }
    const rows = [...byKey.values()]
    const write = async (db: Kysely<Database>) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await db
          .insertInto('observations')
          .values(rows.slice(i, i + CHUNK))
          .onConflict((oc) =>
            oc.columns(['trial_id', 'metric_name', 'step']).doUpdateSet((eb) => ({
              value: eb.ref('excluded.value'),
              recorded_at: eb.ref('excluded.recorded_at'),
            })),
          )
          .execute()
      }
    }
    // Several chunks share a transaction so a batch lands whole or not at all.
    if (rows.length <= CHUNK) await write(this.#db)
    else await this.#owner.transaction((tx) => write(tx.observations.#db))
  }

  async list(trialId: string, names?: readonly string[]): Promise<MetricPoint[]> {
    if (names && names.length === 0) return []
    let query = this.#db
      .selectFrom('observations')
      .select(['metric_name', 'step', 'value', 'recorded_at'])
      .where('trial_id', '=', trialId)
    if (names) query = query.where('metric_name', 'in', names)
    const rows = await query.orderBy('metric_name').orderBy('step').execute()
    return rows.map(observationRowToPoint)
  }

  async summarize(trialId: string): Promise<Record<string, Summary>> {
    const rows = await this.#db
      .selectFrom('observations')
      .select((eb) => [
        'metric_name',
        eb.fn.min('value').as('min'),
        eb.fn.max('value').as('max'),
        eb.fn.countAll().as('count'),
        sql<number>`(array_agg(value order by step desc))[1]`.as('latest'),
      ])
      .where('trial_id', '=', trialId)
      // PostgreSQL compares NaN equal to itself, so NOT IN drops NaN as well as ±Infinity.
      .where(sql<boolean>`value not in ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)`)
      .groupBy('metric_name')
      .execute()
    const summaries: Record<string, Summary> = {}
    for (const r of rows) {
      summaries[r.metric_name] = { min: r.min, max: r.max, latest: r.latest, count: Number(r.count) }
    }
    return summaries
  }

  async countForExperiment(experimentId: string): Promise<number> {
    const { count } = await this.#db
      .selectFrom('observations')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('experiment_id', '=', experimentId)
      .executeTakeFirstOrThrow()
    return Number(count)
  }

  async deleteForTrial(trialId: string): Promise<void> {
    await this.#db.deleteFrom('observations').where('trial_id', '=', trialId).execute()
  }
}
