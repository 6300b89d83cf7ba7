import type { FastifyInstance } from 'fastify'

/** How long requests in flight get to finish once the server closes. */
const FORCE_CLOSE_MS = 2000

/**
 * app.close() that cannot hang: closing ends the event streams, yet a client that stopped
 * reading one (a page being closed) can hold its connection, and Node's close would wait for it
 * up to the keep-alive timeout (72 s) before the process exits. Requests get a moment to
 * finish, then every connection goes.
 */
export async function closeServer(app: FastifyInstance): Promise<void> {
  const closing = app.close()
  const force = setTimeout(() => app.server.closeAllConnections(), FORCE_CLOSE_MS)
  try {
    await closing
  } finally {
    clearTimeout(force)
  }
}
