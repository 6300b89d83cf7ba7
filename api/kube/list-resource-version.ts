import type { Store } from '../../db/store.ts'

/**
 * How long a gap in the change ids may stand for a change still to commit before it is taken
 * for a rolled-back one: the watch hub's default grace (watch/kube-watch-hub.ts).
 */
export const GAP_GRACE_MS = 3000

/**
 * The resourceVersion of a list, read before its items: below any id that may still commit
 * (TombstoneStore.listVersion), so a watch started from it gets that change when it lands.
 * Items already newer than it come again on the watch as MODIFIED, which clients take as the
 * state they hold.
 */
export function listResourceVersion(store: Store): Promise<number> {
  return store.tombstones.listVersion(GAP_GRACE_MS)
}
