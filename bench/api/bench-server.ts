/**
 * The server under test, in its own process: were it in the benchmark's process, the load
 * generator (or the browser driver) and the server would share one event loop and each would
 * slow the other. Argv: postgres url, schema, and `dashboard` to serve the dashboard too.
 * Prints `listening <url>` once ready; SIGTERM stops it.
 */
import { buildApp } from '../../api/app.ts'
import { openStore } from '../../db/open-store.ts'
import { ensureDashboardBuilt } from '../../ui/build-ui.ts'

const [url, schema, mode] = process.argv.slice(2)
if (!url || !schema) {
  process.stderr.write('usage: bench-server.ts <postgres url> <schema> [dashboard]\n')
  process.exit(2)
}
const store = await openStore({ url, schema })
const dashboardDir = mode === 'dashboard' ? (await ensureDashboardBuilt()).dir : undefined
const app = await buildApp({ store, bodyLimit: 8 * 1024 * 1024, ...(dashboardDir !== undefined ? { dashboardDir } : {}) })
const address = await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`listening ${address}\n`)
process.once('SIGTERM', () => {
  void app.close().then(() => store.destroy()).then(() => process.exit(0))
})
