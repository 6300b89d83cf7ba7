import { spawnSync } from 'node:child_process'
import { readdir, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureDashboardBuilt } from '../ui/build-ui.ts'

/**
 * `npm run build`, and `npm pack`/`npm publish` through `prepack`: the package as it ships, in
 * dist/ (gitignored). tsc compiles the server and the CLI to plain JavaScript (tsconfig.build.json
 * rewrites the sources' './x.ts' imports to './x.js'), and the dashboard is bundled once into
 * dist/dashboard/, where the compiled CLI serves it from without building anything. The
 * package's bin, cli/bin.mjs, runs dist/cli/tunewell.js where no sources sit beside it; in the
 * repository it runs the sources through tsx, and nothing reads dist/.
 */
const root = fileURLToPath(new URL('../', import.meta.url))
const dist = join(root, 'dist')

const started = performance.now()
// From scratch: a file renamed or deleted in the sources must not live on in the package.
await rm(dist, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
// A type error fails the build: a package is not shipped from sources that do not typecheck.
if (compiled.status !== 0) {
  process.stderr.write('build failed: tsc reported the errors above\n')
  process.exit(compiled.status ?? 1)
}

// The dashboard's builder is compiled along with the CLI (which loads it in a clone only, when it
// has no prebuilt dashboard); the package has the prebuilt one and no esbuild, so it goes.
const ui = join(dist, 'ui')
const uiFiles = await readdir(ui).catch(() => [])
if (uiFiles.some((name) => name !== 'build-ui.js')) throw new Error(`unexpected files compiled into dist/ui: ${uiFiles.join(', ')}`)
await rm(ui, { recursive: true, force: true })

await ensureDashboardBuilt(join(dist, 'dashboard'), { force: true, sourceMaps: false })
process.stdout.write(`package built into dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
