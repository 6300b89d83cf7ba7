import type { AccessToken } from '../api/access-tokens.ts'

/** Shortest token `serve` accepts beyond loopback: 16 characters (64 bits as hex, more as text). */
export const MIN_TOKEN_LENGTH = 16

/** A token and where it was given, for messages that must never show the token itself. */
export interface SourcedToken extends AccessToken {
  /** `TUNEWELL_TOKEN` or `FILE:LINE`. */
  readonly source: string
}

/**
 * The refusal for tokens too short to stand up to guessing from the network, or undefined.
 * Only beyond loopback: there the token is all that stands between the port and running commands.
 */
export function shortTokenMessage(tokens: readonly SourcedToken[], host: string): string | undefined {
  const short = tokens.filter((t) => t.token.length < MIN_TOKEN_LENGTH)
  if (short.length === 0) return undefined
  const which = short.map((t) => `${t.source}: the ${t.role} token has ${t.token.length} characters`).join('; ')
  return `refusing to listen on ${host} with a token shorter than ${MIN_TOKEN_LENGTH} characters (${which}): beyond loopback, ` +
    'whoever reaches the port can try tokens, and a short one is guessed. Make a long one with `openssl rand -hex 32` ' +
    'and put it in TUNEWELL_TOKEN or the tokens file.'
}
