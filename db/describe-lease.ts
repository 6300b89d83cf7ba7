import type { LeaseRecord } from './store.ts'

/**
 * One line naming who holds a lease and until when, for the message of the controller that
 * could not get it (`tunewell run`'s refusal, serve's status message): e.g. `held by
 * "tunewell run" (pid 4242 on host ci-3) since 2026-01-02T03:04:05.000Z, expires in 17 s
 * unless renewed`.
 */
export function describeLease(lease: LeaseRecord): string {
  if (lease.remainingMs <= 0) return `free (last held by ${describeHolder(lease)})`
  const seconds = Math.max(1, Math.ceil(lease.remainingMs / 1000))
  return `held by ${describeHolder(lease)}, expires in ${seconds} s unless renewed`
}

/** Who holds it and since when, without the time left (a status message that does not change while it is held). */
export function describeHolder(lease: LeaseRecord): string {
  const { holder } = lease
  return `"tunewell ${holder.command}" (pid ${holder.pid} on host ${holder.host}) since ${lease.acquiredAt.toISOString()}`
}
