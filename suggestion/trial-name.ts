import { createHash } from 'node:crypto'

/**
 * Katib names trials `<experiment>-<8 random lowercase alnum>`. Ours are derived from the
 * experiment id and the trial number, so a retried suggestion call names a trial the same way.
 */
export function trialName(experimentName: string, experimentId: string, number: number): string {
  const digest = createHash('sha256').update(`${experimentId}:${number}`).digest()
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  let suffix = ''
  for (let i = 0; i < 8; i++) suffix += alphabet[digest[i]! % alphabet.length]
  return `${experimentName}-${suffix}`
}
