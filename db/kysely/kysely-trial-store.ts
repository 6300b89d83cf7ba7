import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { TunewellError } from '../../core/errors.ts'
import type { MetricPoint } from '../../core/metric.ts'
import { TRIAL_STATES, type TrialState } from '../../core/trial.ts'
import type { Database } from '../schema.ts'
import type {
  ClaimedTrial, ClaimLimits, ClaimRequest, FinishedAttempt, NamedWorkerClaim, NewTrial, Page, ExperimentStore, TrialByNames, TrialLookup, TrialPageQuery, TrialPatch,
  TrialEvent, TrialPosition, TrialRecord, TrialStore, TrialTally,
} from '../store.ts'
import { toJsonb, toNullableJsonb, trialPatchToUpdate, trialRowToRecord } from './mappers.ts'
import { findTrialsByNames } from './find-trials-by-names.ts'
import { finishAttempts } from './finish-attempts.ts'
import { chunks } from './chunks.ts'
import { isUniqueViolation } from './is-unique-violation.ts'
import { pageTrials } from './page-trials.ts'
import { PREPARED } from './prepared.ts'

/**
 * The store a KyselyTrialStore belongs to (KyselyStore), as far as it needs it: transactions whose
 * trial store is again a KyselyTrialStore. An interface, so db/kysely/ does not import its owner.
 */
interface TrialStoreOwner {
  transaction<T>(work: (tx: { readonly experiments: Pick<ExperimentStore, 'lock'>; readonly trials: KyselyTrialStore }) => Promise<T>): Promise<T>
}

export class KyselyTrialStore implements TrialStore {
  readonly #db: Kysely<Database>
  readonly #owner: TrialStoreOwner

  /** `owner` is the store this one belongs to, for opening (or joining) its transaction. */
  constructor(db: Kysely<Database>, owner: TrialStoreOwner) {
    this.#db = db
    this.#owner = owner
  }

  async createMany(experimentId: string, trials: readonly NewTrial[]): Promise<TrialRecord[]> {
    if (trials.length === 0) return []
    // Taking the lock here as well makes a forgotten lock in the caller harmless; inside the
    // caller's transaction it is a no-op re-lock of a row it already holds.
    return this.#owner.transaction(async (tx) => {
      await tx.experiments.lock(experimentId)
      const created: TrialRecord[] = []
      // Eight parameters a row; each chunk numbers on from the one before.
      for (const chunk of chunks(trials, 2_500)) created.push(...await tx.trials.#insertAfterMax(experimentId, chunk))
      return created
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
          parent_trial_name: t.parentTrialName ?? null,
          generation: t.generation ?? 0,
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

  async transitionMany(ids: readonly string[], from: readonly TrialState[], to: TrialState, patch?: TrialPatch, event?: TrialEvent): Promise<string[]> {
    if (from.length === 0 || ids.length === 0) return []
    const moved: string[] = []
    for (const chunk of chunks(ids, 5_000)) {
      const update = (db: Kysely<Database>) => db
        .updateTable('trials')
        .set({ ...(patch ? trialPatchToUpdate(patch) : {}), state: to })
        .where('id', 'in', chunk)
        .where('state', 'in', from)
      if (!event) {
        moved.push(...(await update(this.#db).returning('id').execute()).map((r) => r.id))
        continue
      }
      // The event of each trial that moved, in the same statement (atomic without a transaction).
      const rows = await this.#db
        .with('moved', (db) => update(db as unknown as Kysely<Database>).returning(['id', 'experiment_id']))
        .insertInto('events')
        .columns(['experiment_id', 'trial_id', 'type', 'payload'])
        .expression((eb) => eb.selectFrom('moved').select([
          'moved.experiment_id', 'moved.id', sql<string>`${event.type}::text`.as('type'), sql<string>`${toNullableJsonb(event.payload)}::jsonb`.as('payload'),
        ]))
        .returning('trial_id')
        .execute()
      moved.push(...rows.map((r) => r.trial_id!))
    }
    return moved
  }

  async setExecutions(executions: readonly { readonly id: string; readonly execution: unknown }[]): Promise<void> {
    if (executions.length === 0) return
    // One parameter whatever the count: the pairs as a JSON array, unpacked by the server.
    const rows = JSON.stringify(executions.map(({ id, execution }) => ({ id, execution: execution ?? null })))
    await sql`update trials set execution = d.execution from jsonb_to_recordset(${rows}::jsonb) as d(id text, execution jsonb) where trials.id = d.id`.execute(this.#db)
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

  async recentNamesByState(experimentId: string, limit: number): Promise<Record<TrialState, string[]>> {
    const names = Object.fromEntries(TRIAL_STATES.map((state) => [state, [] as string[]])) as Record<TrialState, string[]>
    if (limit < 1) return names
    // A lateral subquery per state: each reads the top of its own range of the
    // (experiment_id, state, number) index, so 100,000 trials cost what 100 do.
    const { rows } = await sql<{ state: TrialState; name: string }>`
      select s.state, t.name
      from (values ${sql.join(TRIAL_STATES.map((state) => sql`(${state}::text)`))}) as s(state)
      cross join lateral (
        select name, number from trials
        where experiment_id = ${experimentId} and state = s.state
        order by number desc limit ${Math.floor(limit)}
      ) as t
      order by t.number`.execute(this.#db)
    for (const row of rows) names[row.state].push(row.name)
    return names
  }

  async recentNamesByStateForExperiments(experimentIds: readonly string[], limit: number): Promise<Map<string, Record<TrialState, string[]>>> {
    const names = new Map(experimentIds.map((id) => [id, Object.fromEntries(TRIAL_STATES.map((state) => [state, [] as string[]])) as Record<TrialState, string[]>]))
    if (limit < 1 || experimentIds.length === 0) return names
    // recentNamesByState's lateral subquery per (experiment, state) pair.
    const { rows } = await sql<{ experiment_id: string; state: TrialState; name: string }>`
      select x.experiment_id, s.state, t.name
      from (values ${sql.join(experimentIds.map((id) => sql`(${id}::text)`))}) as x(experiment_id)
      cross join (values ${sql.join(TRIAL_STATES.map((state) => sql`(${state}::text)`))}) as s(state)
      cross join lateral (
        select name, number from trials
        where experiment_id = x.experiment_id and state = s.state
        order by number desc limit ${Math.floor(limit)}
      ) as t
      order by x.experiment_id, t.number`.execute(this.#db)
    for (const row of rows) names.get(row.experiment_id)![row.state].push(row.name)
    return names
  }

  async getMany(ids: readonly string[]): Promise<TrialRecord[]> {
    if (ids.length === 0) return []
    const records: TrialRecord[] = []
    for (const chunk of chunks(ids, 5_000)) {
      const rows = await this.#db.selectFrom('trials').selectAll().where('id', 'in', chunk).execute()
      records.push(...rows.map(trialRowToRecord))
    }
    return records
  }

  async tally(experimentId: string): Promise<TrialTally> {
    // Raw and prepared: every tell that may complete its experiment runs it.
    const { rows } = await sql<Record<'max' | TallyState, number | string | null>>`${PREPARED}
      select (select max(number) from trials where experiment_id = ${experimentId}) as max,
        count(*) filter (where state = 'Pending') as "Pending",
        count(*) filter (where state = 'Running') as "Running",
        count(*) filter (where state = 'Failed') as "Failed",
        count(*) filter (where state = 'MetricsUnavailable') as "MetricsUnavailable"
      from trials where experiment_id = ${experimentId} and state in ('Pending', 'Running', 'Failed', 'MetricsUnavailable')`.execute(this.#db)
    const row = rows[0]!
    return {
      total: row.max === null ? 0 : Number(row.max) + 1,
      Pending: Number(row.Pending),
      Running: Number(row.Running),
      Failed: Number(row.Failed),
      MetricsUnavailable: Number(row.MetricsUnavailable),
    }
  }

  async claimByName(experimentName: string, requests: readonly ClaimRequest[], limits: ClaimLimits): Promise<NamedWorkerClaim[]> {
    if (requests.length === 0) return []
    // Prepared: one text whatever the batch, the asks being array parameters.
    const claim = () => sql<NamedClaimRow>`${PREPARED}
      select * from claim_ask_trials(${experimentName}, ${requests.map((r) => r.idempotencyKey ?? null)}::text[],
        ${requests.map((r) => r.worker ?? null)}::text[], ${limits.defaultMaxRunning}::integer, ${limits.staleSeconds}::float8)`.execute(this.#db)
    let result
    try {
      result = await claim()
    } catch (error) {
      // Two asks with one new key raced (from two servers); the batch applied nothing, and
      // its retry finds the winner's trial ('existing').
      if (!isUniqueViolation(error) || this.#db.isTransaction) throw error
      result = await claim()
    }
    const claims: NamedWorkerClaim[] = []
    for (const row of result.rows) claims[row.ordinal - 1] = namedClaim(row)
    return claims
  }

  async heartbeat(id: string, restarts?: number): Promise<boolean> {
    let query = this.#db.updateTable('trials').set({ heartbeat_at: sql<Date>`now()` }).where('id', '=', id).where('state', '=', 'Running')
    if (restarts !== undefined) query = query.where('restarts', '=', restarts)
    return (await query.returning('id').executeTakeFirst()) !== undefined
  }

  async transitionAttempt(
    id: string, restarts: number | undefined, from: readonly TrialState[], to: TrialState, patch?: TrialPatch,
  ): Promise<TrialRecord | undefined> {
    if (from.length === 0) return undefined
    let query = this.#db
      .updateTable('trials')
      .set({ ...(patch ? trialPatchToUpdate(patch) : {}), state: to })
      .where('id', '=', id)
      .where('state', 'in', from)
    if (restarts !== undefined) query = query.where('restarts', '=', restarts)
    const row = await query.returningAll().executeTakeFirst()
    return row && trialRowToRecord(row)
  }

  findByNames(lookups: readonly TrialLookup[], options?: { readonly points?: boolean }): Promise<TrialByNames[]> {
    return findTrialsByNames(this.#db, lookups, options?.points === true)
  }

  finishAttempts(attempts: readonly FinishedAttempt[]): Promise<(TrialRecord | undefined)[]> {
    return finishAttempts(this.#db, attempts)
  }
}

type TallyState = Exclude<keyof TrialTally, 'total'>

interface NamedClaimRow {
  readonly ordinal: number
  readonly outcome: NamedWorkerClaim['outcome']
  readonly experiment_id: string | null
  readonly experiment_version: string | null
  readonly max_running: number | null
  readonly id: string
  readonly number: number
  readonly name: string
  readonly state: TrialState
  readonly params: ClaimedTrial['params']
  readonly restarts: number
  readonly pending: number | string | null
}

function namedClaim(row: NamedClaimRow): NamedWorkerClaim {
  if (row.outcome === 'not-found') return { outcome: 'not-found' }
  const experiment = { experimentId: row.experiment_id!, experimentVersion: row.experiment_version!, maxRunning: row.max_running! }
  const trial = (): ClaimedTrial => ({ id: row.id, number: row.number, name: row.name, state: row.state, params: row.params, restarts: row.restarts })
  switch (row.outcome) {
    case 'existing':
    case 'reoffered':
      return { outcome: row.outcome, trial: trial(), ...experiment }
    case 'claimed':
      return { outcome: 'claimed', trial: trial(), pending: Number(row.pending), ...experiment }
    default:
      return { outcome: row.outcome, ...experiment }
  }
}

function zeroCounts(): Record<TrialState, number> {
  return Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>
}

export function trialNotFound(id: string): TunewellError {
  return new TunewellError('TRIAL_NOT_FOUND', `trial ${id} not found`)
}
