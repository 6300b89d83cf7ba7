import { sql, type Kysely } from 'kysely'
import type { Database, ExperimentRow, TrialRow } from '../schema.ts'
import type { ChangeQuery, StoreChange, Tombstone, TombstoneStore } from '../store.ts'
import { experimentRowToRecord, trialRowToRecord } from './mappers.ts'
import { safeVersion } from '../safe-list-version.ts'

/** A row as `to_jsonb` wrote it: timestamps as ISO text, NaN and ±Infinity as text. */
type JsonRow = Record<string, unknown>

/**
 * Raw SQL: the tables are the watch's alone (migrations/0003-kube-tombstones.ts), and the change
 * stream is a union the query builder would only obscure. Both halves of the union are ranges of
 * a primary key.
 */
export class KyselyTombstoneStore implements TombstoneStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async changes(q: ChangeQuery): Promise<StoreChange[]> {
    const until = q.untilId ?? Number.MAX_SAFE_INTEGER
    const { rows } = await sql<{ id: number | string; experiment_id: string; trial_id: string | null; type: string }>`
      (select id, experiment_id, trial_id, type from events where id > ${q.afterId} and id <= ${until} order by id limit ${q.limit})
      union all
      (select id, experiment_id, null, 'experiment:deleted' from kube_tombstones where id > ${q.afterId} and id <= ${until} order by id limit ${q.limit})
      order by id
      limit ${q.limit}`.execute(this.#db)
    return rows.map((r) => ({ id: Number(r.id), experimentId: r.experiment_id, trialId: r.trial_id, type: r.type }))
  }

  async changesAt(ids: readonly number[]): Promise<StoreChange[]> {
    if (ids.length === 0) return []
    const list = sql.join(ids.map((id) => sql`${id}`))
    const { rows } = await sql<{ id: number | string; experiment_id: string; trial_id: string | null; type: string }>`
      select id, experiment_id, trial_id, type from events where id in (${list})
      union all
      select id, experiment_id, null, 'experiment:deleted' from kube_tombstones where id in (${list})
      order by id`.execute(this.#db)
    return rows.map((r) => ({ id: Number(r.id), experimentId: r.experiment_id, trialId: r.trial_id, type: r.type }))
  }

  async get(ids: readonly number[]): Promise<Tombstone[]> {
    if (ids.length === 0) return []
    const { rows } = await sql<{ id: number | string; experiment: JsonRow; trials: JsonRow[]; spec_changes: number | string; deleted_at: Date }>`
      select id, experiment, trials, spec_changes, deleted_at from kube_tombstones
      where id in (${sql.join(ids.map((id) => sql`${id}`))}) order by id`.execute(this.#db)
    return rows.map((r) => ({
      id: Number(r.id),
      experiment: experimentRowToRecord(experimentRow(r.experiment)),
      trials: r.trials.map((t) => trialRowToRecord(trialRow(t))),
      specChanges: Number(r.spec_changes),
      deletedAt: r.deleted_at,
    }))
  }

  // The horizon counts: the last change may be a deletion whose tombstone was pruned, and a
  // resourceVersion handed out now must not be older than the horizon (it would be 410).
  async latestId(): Promise<number> {
    const { rows } = await sql<{ id: number | string | null }>`
      select greatest((select max(id) from events), (select max(id) from kube_tombstones),
        (select compacted_through from kube_watch_horizon where id = 1)) as id`.execute(this.#db)
    return Number(rows[0]?.id ?? 0)
  }

  async listVersion(graceMs: number, window = 1000): Promise<number> {
    // Read after latestId: a writer that drew an id below it and has not committed is in progress now.
    const [latest, horizon] = await Promise.all([this.latestId(), this.horizon()])
    const from = Math.max(horizon, latest - window)
    if (latest <= from) return latest
    // With no other writing transaction in progress, every gap is for ever empty (rolled back).
    const { rows: writers } = await sql<{ n: number | string }>`
      select count(*) as n from pg_snapshot_xip(pg_current_snapshot()) as xip where xip <> pg_current_xact_id_if_assigned()
        or pg_current_xact_id_if_assigned() is null`.execute(this.#db)
    if (Number(writers[0]?.n ?? 0) === 0) return latest
    // Ages by the database's clock, as events.at (a transaction's start) is written.
    const { rows } = await sql<{ id: number | string; young: boolean }>`
      select id, at > now() - make_interval(secs => ${graceMs / 1000}) as young from (
        select id, at from events where id > ${from} and id <= ${latest}
        union all
        select id, deleted_at from kube_tombstones where id > ${from} and id <= ${latest}
      ) recent order by id`.execute(this.#db)
    return safeVersion(from, latest, rows.map((r) => ({ id: Number(r.id), young: r.young })))
  }

  async horizon(): Promise<number> {
    const { rows } = await sql<{ id: number | string }>`select compacted_through as id from kube_watch_horizon where id = 1`.execute(this.#db)
    return Number(rows[0]?.id ?? 0)
  }

  async prune(olderThanMs: number): Promise<number> {
    // One statement: the horizon moves exactly with what was deleted.
    const { rows } = await sql<{ id: number | string }>`
      with pruned as (
        delete from kube_tombstones where deleted_at < now() - make_interval(secs => ${olderThanMs / 1000}) returning id
      )
      update kube_watch_horizon set compacted_through = greatest(compacted_through, coalesce((select max(id) from pruned), 0))
      where id = 1 returning compacted_through as id`.execute(this.#db)
    return Number(rows[0]?.id ?? 0)
  }
}

const date = (value: unknown): Date | null => (value == null ? null : new Date(String(value)))
const number = (value: unknown): number | null => (value == null ? null : Number(value))

function experimentRow(j: JsonRow): ExperimentRow {
  return {
    id: String(j.id),
    name: String(j.name),
    spec: j.spec as ExperimentRow['spec'],
    state: j.state as ExperimentRow['state'],
    reason: (j.reason ?? null) as string | null,
    message: (j.message ?? null) as string | null,
    seed: Number(j.seed),
    best_trial_id: (j.best_trial_id ?? null) as string | null,
    created_at: date(j.created_at)!,
    started_at: date(j.started_at),
    completed_at: date(j.completed_at),
  }
}

function trialRow(j: JsonRow): TrialRow {
  return {
    id: String(j.id),
    experiment_id: String(j.experiment_id),
    number: Number(j.number),
    name: String(j.name),
    state: j.state as TrialRow['state'],
    params: j.params as TrialRow['params'],
    objective: number(j.objective),
    metrics: (j.metrics ?? null) as TrialRow['metrics'],
    text_metrics: (j.text_metrics ?? null) as TrialRow['text_metrics'],
    reason: (j.reason ?? null) as string | null,
    message: (j.message ?? null) as string | null,
    execution: null,
    restarts: Number(j.restarts ?? 0),
    created_at: date(j.created_at)!,
    started_at: date(j.started_at),
    finished_at: date(j.finished_at),
    idempotency_key: (j.idempotency_key ?? null) as string | null,
    heartbeat_at: date(j.heartbeat_at),
    worker: (j.worker ?? null) as string | null,
    parent_trial_name: (j.parent_trial_name ?? null) as string | null,
    generation: Number(j.generation ?? 0),
  }
}
