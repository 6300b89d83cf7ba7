import { badRequest } from './kube-status.ts'

/**
 * Chunked lists (`?limit=` and `?continue=`) of the resources E serves (events, trials): the
 * token says where the previous chunk ended and which resourceVersion the list is at, so every
 * chunk of one list shows the store as of its first (later changes wait for the next list, as
 * a server's continue token reads one etcd revision). It is opaque to clients: base64url JSON.
 */
export interface ListPosition {
  /** The list's resourceVersion (the highest event id when its first chunk was read). */
  readonly resourceVersion: number
  /** Resource-specific position of the last item given (an event id, a trial's place). */
  readonly after: number
  /** The key the position belongs to (e.g. the experiment a trial listing walks), when one is needed. */
  readonly key?: string
}

export function encodeContinue(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, rv: position.resourceVersion, a: position.after, ...(position.key !== undefined ? { k: position.key } : {}) })).toString('base64url')
}

/** A token from encodeContinue; anything else is a 400 BadRequest, as a server answers a token it cannot read. */
export function decodeContinue(token: string): ListPosition {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch {
    parsed = undefined
  }
  const p = parsed as { v?: unknown; rv?: unknown; a?: unknown; k?: unknown } | undefined
  if (!p || p.v !== 1 || !Number.isSafeInteger(p.rv) || !Number.isSafeInteger(p.a) || (p.k !== undefined && typeof p.k !== 'string')) {
    throw badRequest(`invalid continue token: ${JSON.stringify(token)} was not given by this server`)
  }
  return { resourceVersion: p.rv as number, after: p.a as number, ...(typeof p.k === 'string' ? { key: p.k } : {}) }
}

/** `?limit=`: a positive whole number; absent, 0 or negative means no limit, as for a server. */
export function listLimit(text: string | undefined): number {
  if (text === undefined || text === '') return Number.POSITIVE_INFINITY
  if (!/^-?\d+$/.test(text)) throw badRequest(`limit: Invalid value: ${JSON.stringify(text)}: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`)
  const n = Number(text)
  return n > 0 ? n : Number.POSITIVE_INFINITY
}
