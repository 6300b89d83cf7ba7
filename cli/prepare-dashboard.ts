import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the package build (scripts/build-package.ts) puts the dashboard: dist/dashboard/, beside
 * the compiled dist/cli/. A clone has no such folder next to cli/.
 */
const PACKAGED_DASHBOARD = fileURLToPath(new URL('../dashboard', import.meta.url))

/**
 * The folder of the dashboard to serve. The installed package ships it built at pack time, so
 * nothing is checked or bundled when it starts. From a clone it is built when its bundle is
 * missing or stale (under a second), next to its sources, or under .tunewell/ where those are
 * read-only. The API works without it, so a failed build is a warning and undefined. Shared by
 * `serve` and `run --ui`.
 */
export async function prepareDashboard(home: string, err: NodeJS.WritableStream): Promise<string | undefined> {
  if (existsSync(join(PACKAGED_DASHBOARD, 'index.html'))) return PACKAGED_DASHBOARD
  let firstError: unknown
  try {
    // Loaded only here: the builder needs esbuild and the dashboard's sources, which only a clone has.
    const { DEFAULT_DASHBOARD_DIR, ensureDashboardBuilt } = await import('../ui/build-ui.ts')
    for (const dir of [DEFAULT_DASHBOARD_DIR, join(home, 'dashboard')]) {
      try {
        return (await ensureDashboardBuilt(dir)).dir
      } catch (error) {
        firstError ??= error
      }
    }
  } catch (error) {
    firstError ??= error
  }
  err.write(`warning: the dashboard could not be built, serving the API only: ${(firstError as Error).message}\n`)
  return undefined
}
