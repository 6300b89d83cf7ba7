import { sql, type Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import type { EventFeedQuery, EventStore, EventVersion, ExperimentEvent, FeedEvent, NewEvent } from '../store.ts'
import { experimentNotFound } from './kysely-experiment-store.ts'
import { chunks } from './chunks.ts'
import { isForeignKeyViolation } from './is-foreign-key-violation.ts'
import { eventRowToEvent, toNullableJsonb } from './mappers.ts'

/** The event types that change an experiment's spec (its Kubernetes generation); metadata edits do not. */
const SPEC_CHANGE_TYPES: readonly string[] = ['experiment:updated']

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

  async experimentVersions(experimentIds: readonly string[]): Promise<Map<string, EventVersion>> {
    const versions = new Map<string, EventVersion>(experimentIds.map((id) => [id, { latestId: 0, latestAt: null, specChanges: 0 }]))
    if (experimentIds.length === 0) return versions
    // The latest event is one descent of the (experiment_id, id) index per experiment; spec
    // changes are rare, counted over the experiment's range of that index.
    const { rows } = await sql<{ experiment_id: string; id: number | string | null; at: Date | string | null; spec_changes: number | string }>`
      select x.experiment_id, l.id, l.at,
        (select count(*) from events c where c.experiment_id = x.experiment_id
          and c.type in (${sql.join(SPEC_CHANGE_TYPES)})) as spec_changes
      from (values ${sql.join(experimentIds.map((id) => sql`(${id}::text)`))}) as x(experiment_id)
      left join lateral (
        select e.id, e.at from events e where e.experiment_id = x.experiment_id order by e.id desc limit 1
      ) as l on true`.execute(this.#db)
    for (const row of rows) versions.set(row.experiment_id, toVersion(row.id, row.at, row.spec_changes))
    return versions
  }

  async trialVersions(experimentId: string, trialIds: readonly string[]): Promise<Map<string, EventVersion>> {
    const versions = new Map<string, EventVersion>()
    if (trialIds.length === 0) return versions
    const { rows } = await sql<{ trial_id: string; id: number | string; at: Date | string }>`
      select distinct on (trial_id) trial_id, id, at from events
      where experiment_id = ${experimentId} and trial_id in (${sql.join(trialIds)})
      order by trial_id, id desc`.execute(this.#db)
    for (const row of rows) versions.set(row.trial_id, toVersion(row.id, row.at, 0))
    return versions
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

function toVersion(id: number | string | null, at: Date | string | null, specChanges: number | string): EventVersion {
  return { latestId: Number(id ?? 0), latestAt: at === null ? null : new Date(at), specChanges: Number(specChanges) }
}
