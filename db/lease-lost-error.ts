import { TunewellError } from '../core/errors.ts'
import type { LeaseFence, LeaseRecord } from './store.ts'
import { describeLease } from './describe-lease.ts'

/**
 * A fenced write was refused: the lease of `fence` is no longer this holder's. `current` is the
 * lease as the database has it now (absent when the experiment is gone). `expiredOnly` means
 * nobody took it over yet: the holder may renew it (LeaseStore.renew) and write again.
 */
export class LeaseLostError extends TunewellError {
  readonly fence: LeaseFence
  readonly current: LeaseRecord | undefined
  readonly expiredOnly: boolean

  constructor(fence: LeaseFence, current: LeaseRecord | undefined) {
    const expiredOnly = current !== undefined && current.holderId === fence.holderId && current.epoch === fence.epoch
    super(
      'STATE_CONFLICT',
      expiredOnly
        ? `the lease on experiment ${fence.experimentId} expired before this controller could renew it`
        : current
          ? `this controller no longer drives experiment ${fence.experimentId}: ${describeLease(current)}`
          : `experiment ${fence.experimentId} no longer exists`,
    )
    this.name = 'LeaseLostError'
    this.fence = fence
    this.current = current
    this.expiredOnly = expiredOnly
  }
}
