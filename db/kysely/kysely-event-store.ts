import type { Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import type { EventFeedQuery, EventStore, ExperimentEvent, FeedEvent, NewEvent } from '../store.ts'
import { experimentNotFound } from './kysely-experiment-store.ts'
import { chunks } from './chunks.ts'
import { isForeignKeyViolation } from './is-foreign-key-violation.ts'
import { eventRowToEvent, toNullableJsonb } from './mappers.ts'

export class KyselyEventStore implements EventStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  append(event: NewEvent): Promise<void> {
    return this.appendMany([event])
  }

  async appendMany(events: readonly NewEvent[]): Promise<void> {
    if (events.length === 0) return
    try {
      // Four parameters a row.
      for (const chunk of chunks(events, 5_000)) {
        await this.#db
          .insertInto('events')
          .values(chunk.map((event) => ({
            experiment_id: event.experimentId,
            trial_id: event.trialId ?? null,
            type: event.type,
            payload: toNullableJsonb(event.payload),
          })))
          .execute()
      }
    } catch (error) {
      if (isForeignKeyViolation(error)) throw experimentNotFound(events[0]!.experimentId)
      throw error
    }
  }

  async list(experimentId: string, afterId = 0): Promise<ExperimentEvent[]> {
    const rows = await this.#db
      .selectFrom('events')
      .selectAll()
      .where('experiment_id', '=', experimentId)
      .where('id', '>', afterId)
      .orderBy('id')
      .execute()
    return rows.map(eventRowToEvent)
  }

  async latestId(): Promise<number> {
    const row = await this.#db.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst()
    return Number(row?.id ?? 0)
  }

  /** By primary key for all experiments, by (experiment_id, id) for one; the joins are primary-key lookups. */
  async feed(q: EventFeedQuery): Promise<FeedEvent[]> {
    let query = this.#db
      .selectFrom('events as e')
      .innerJoin('experiments as x', 'x.id', 'e.experiment_id')
      .leftJoin('trials as t', 't.id', 'e.trial_id')
      .selectAll('e')
      .select(['x.name as experiment_name', 't.name as trial_name'])
      .where('e.id', '>', q.afterId)
    if (q.untilId !== undefined) query = query.where('e.id', '<=', q.untilId)
    if (q.experimentId !== undefined) query = query.where('e.experiment_id', '=', q.experimentId)
    const rows = await query.orderBy('e.id', q.newest ? 'desc' : 'asc').limit(q.limit).execute()
    if (q.newest) rows.reverse()
    return rows.map(({ experiment_name, trial_name, ...row }) => ({ ...eventRowToEvent(row), experimentName: experiment_name, trialName: trial_name }))
  }
}
