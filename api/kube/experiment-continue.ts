import type { ExperimentPosition } from '../../db/store.ts'
import { badRequest } from './kube-status.ts'

/** What a list's `continue` token carries: the first chunk's resourceVersion and where the last chunk ended. */
export interface ExperimentContinue {
  readonly resourceVersion: string
  readonly after: ExperimentPosition
}

/** Opaque to clients (base64url JSON), as a server's is. */
export function encodeContinue(token: ExperimentContinue): string {
  return Buffer.from(JSON.stringify({ v: 1, rv: token.resourceVersion, at: token.after.createdAt, name: token.after.name })).toString('base64url')
}

/** A token this server did not make is 400, in a server's words. */
export function decodeContinue(text: string): ExperimentContinue {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw invalidToken('not a continue token of this server')
  }
  const { v, rv, at, name } = (parsed ?? {}) as Record<string, unknown>
  if (v !== 1 || typeof rv !== 'string' || !/^\d+$/.test(rv) || typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof name !== 'string') {
    throw invalidToken('not a continue token of this server')
  }
  return { resourceVersion: rv, after: { createdAt: at, name } }
}

function invalidToken(why: string): Error {
  return badRequest(`invalid continue token: ${why}`)
}
