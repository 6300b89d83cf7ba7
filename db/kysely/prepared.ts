import { sql } from 'kysely'

/** What a statement's text starts with when it is worth preparing (see db/preparing-pool.ts). */
export const PREPARED_MARK = '/*prepared*/'

/**
 * Put first in a hot statement of fixed shape: on PostgreSQL each connection then parses and
 * plans it once (a named prepared statement) instead of on every call. Only statements whose
 * text takes a bounded number of forms may carry it: each form stays prepared on every
 * connection for the connection's life. Elsewhere (PGlite) it is a comment.
 */
export const PREPARED = sql.raw(`${PREPARED_MARK} `)
