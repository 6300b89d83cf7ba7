import type { LeaseRecord } from './store.ts'

/**
 * One line naming who holds a lease and until when, for the message of the controller that
 * could not get it (`hypertune run`'s refusal, serve's status message): e.g. `held by
 * "hypertune run" (pid 4242 on host ci-3) since 2026-01-02T03:04:05.000Z, expires in 17 s
 * unless renewed`.
 */
export function describeLease(lease: LeaseRecord): string {
  const { holder } = lease
  const who = `"hypertune ${holder.command}" (pid ${holder.pid} on host ${holder.host})`
  if (lease.remainingMs <= 0) return `free (last held by ${who}, epoch ${lease.epoch})`
  const seconds = Math.max(1, Math.ceil(lease.remainingMs / 1000))
  return `held by ${who} since ${lease.acquiredAt.toISOString()}, expires in ${seconds} s unless renewed`
}
