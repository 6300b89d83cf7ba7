import type { Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import type { EventStore, ExperimentEvent } from '../store.ts'
import { experimentNotFound } from './kysely-experiment-store.ts'
import { isForeignKeyViolation } from './is-foreign-key-violation.ts'
import { eventRowToEvent, toNullableJsonb } from './mappers.ts'

export class KyselyEventStore implements EventStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async append(event: { experimentId: string; trialId?: string | null; type: string; payload?: unknown }): Promise<void> {
    try {
      await this.#db
        .insertInto('events')
        .values({
          experiment_id: event.experimentId,
          trial_id: event.trialId ?? null,
          type: event.type,
          payload: toNullableJsonb(event.payload),
        })
        .execute()
    } catch (error) {
      if (isForeignKeyViolation(error)) throw experimentNotFound(event.experimentId)
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
}
