import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { PushKeyStore } from '../store.ts'

/** Table push_signing_keys (migrations/0002-push-signing-key.ts): one key for the whole database. */
export class KyselyPushKeyStore implements PushKeyStore {
  readonly #db: Kysely<any>

  constructor(db: Kysely<any>) {
    this.#db = db
  }

  async signingKey(): Promise<Buffer> {
    // Two controllers starting at once both offer a key; the one inserted first is everyone's.
    const offered = randomBytes(32)
    await sql`insert into push_signing_keys (id, key) values (1, ${offered}) on conflict (id) do nothing`.execute(this.#db)
    const { rows } = await sql<{ key: Uint8Array }>`select key from push_signing_keys where id = 1`.execute(this.#db)
    const key = rows[0]?.key
    if (!key) throw new Error('push_signing_keys has no key after inserting one')
    return Buffer.from(key)
  }
}
