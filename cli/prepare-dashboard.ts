import { join } from 'node:path'
import { DEFAULT_DASHBOARD_DIR, ensureDashboardBuilt } from '../ui/build-ui.ts'

/**
 * Builds the dashboard when its bundle is missing or stale (under a second), next to its sources,
 * or under .tunewell/ where those are read-only (an installed package). The API works without it,
 * so a failed build is a warning and undefined. Shared by `serve` and `run --ui`.
 */
export async function prepareDashboard(home: string, err: NodeJS.WritableStream): Promise<string | undefined> {
  let firstError: unknown
  for (const dir of [DEFAULT_DASHBOARD_DIR, join(home, 'dashboard')]) {
    try {
      return (await ensureDashboardBuilt(dir)).dir
    } catch (error) {
      firstError ??= error
    }
  }
  err.write(`warning: the dashboard could not be built, serving the API only: ${(firstError as Error).message}\n`)
  return undefined
}
