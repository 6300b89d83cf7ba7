import type { Kysely } from 'kysely'
import { TunewellError } from '../../core/errors.ts'
import type { Database } from '../schema.ts'
import type { AlgorithmStateStore } from '../store.ts'
import { experimentNotFound } from './kysely-experiment-store.ts'
import { isForeignKeyViolation } from './is-foreign-key-violation.ts'
import { toJsonb } from './mappers.ts'

export class KyselyAlgorithmStateStore implements AlgorithmStateStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async get(experimentId: string): Promise<{ readonly state: unknown; readonly version: number } | undefined> {
    const row = await this.#db
      .selectFrom('algorithm_states')
      .select(['state', 'version'])
      .where('experiment_id', '=', experimentId)
      .executeTakeFirst()
    return row && { state: row.state, version: row.version }
  }

  async put(experimentId: string, state: unknown, expectedVersion: number): Promise<void> {
    const written =
      expectedVersion === 0
        ? await this.#insertFirst(experimentId, state)
        : await this.#db
            .updateTable('algorithm_states')
            .set({ state: toJsonb(state), version: expectedVersion + 1 })
            .where('experiment_id', '=', experimentId)
            .where('version', '=', expectedVersion)
            .returning('version')
            .executeTakeFirst()
    if (written) return
    const current = await this.get(experimentId)
    throw new TunewellError(
      'STATE_CONFLICT',
      `algorithm state of experiment ${experimentId} is at version ${current?.version ?? 0}, not ${expectedVersion}: ` +
        'another suggestion call wrote it first; reload the state and retry',
    )
  }

  async #insertFirst(experimentId: string, state: unknown) {
    try {
      return await this.#db
        .insertInto('algorithm_states')
        .values({ experiment_id: experimentId, state: toJsonb(state), version: 1 })
        .onConflict((oc) => oc.column('experiment_id').doNothing())
        .returning('version')
        .executeTakeFirst()
    } catch (error) {
      if (isForeignKeyViolation(error)) throw experimentNotFound(experimentId)
      throw error
    }
  }
}
