import type { FastifyInstance } from 'fastify'
import type { Store } from '../../../db/store.ts'
import { KubeWatchHub, type KubeWatchHubOptions } from './kube-watch-hub.ts'

// One hub per store: every watch of a process over one database shares its reader.
const hubs = new WeakMap<Store, KubeWatchHub>()

/**
 * The hub of `store`, made on first use. `options` count only then: a test (or a server) that
 * wants other intervals calls this before the first watch.
 */
export function kubeWatchHub(store: Store, options: Omit<KubeWatchHubOptions, 'store'> = {}): KubeWatchHub {
  let hub = hubs.get(store)
  if (!hub) {
    hub = new KubeWatchHub({ ...options, store })
    hubs.set(store, hub)
  }
  return hub
}

/**
 * Ends the store's watches when `app` closes. preClose, not onClose: Fastify runs onClose only
 * once every answer in flight has ended, and a watch ends only when its client leaves or its
 * timeout comes, so app.close() would wait for that.
 */
export function registerKubeWatch(app: FastifyInstance, store: Store, options: Omit<KubeWatchHubOptions, 'store'> = {}): void {
  kubeWatchHub(store, { onError: (error) => app.log.warn({ err: error }, 'kube watches: reading the change stream failed; retrying'), ...options })
  app.addHook('preClose', async () => {
    const hub = hubs.get(store)
    hubs.delete(store)
    await hub?.close()
  })
}
