import { spawnSync } from 'node:child_process'
import { existsSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_DASHBOARD_DIR, ensureDashboardBuilt } from '../ui/build-ui.ts'

/**
 * `npm run build:test-dist`: the server and the CLI compiled to plain JavaScript in .test-dist/
 * (gitignored), for CI's test runs. With TUNEWELL_TEST_DIST set to that folder, cli/bin.mjs runs
 * the compiled CLI instead of the sources through tsx: the suite starts the CLI as a child
 * process some thousand times per pass, and tsx's loader costs each start about 0.8 s of CPU
 * more than compiled JavaScript (1.25 s against 0.45 s for `--help` on a two-core machine), which
 * on CI's two cores and two lanes was most of a pass's time. The same compilation as the
 * package's (tsconfig.build.json), in a folder of its own, so that the package tier's `npm pack`
 * (which rebuilds dist/) never pulls the files from under a running test. A stale .test-dist would
 * test old code: nothing but .ci/run sets the variable, right after this build.
 */
const root = fileURLToPath(new URL('../', import.meta.url))
const out = join(root, '.test-dist')
rmSync(out, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' })
if (compiled.status !== 0) {
  process.stderr.write('build:test-dist failed: tsc reported the errors above\n')
  process.exit(compiled.status ?? 1)
}
// The compiled CLI serves `../dashboard` when it holds a built dashboard, as the package does:
// the clone's own build, so the browser tests see the dashboard of these sources.
await ensureDashboardBuilt(DEFAULT_DASHBOARD_DIR)
const dashboard = join(out, 'dashboard')
if (!existsSync(dashboard)) symlinkSync(DEFAULT_DASHBOARD_DIR, dashboard, 'dir')
process.stdout.write(`compiled into ${out}\n`)
