/**
 * `npm run bench:ui`: how fast the dashboard's experiment page becomes interactive with 10,000
 * trials and 1,000,000 metric points in PostgreSQL (DATABASE_URL), in headless Chromium, and how
 * many bytes it pulls. Seeds a private schema (dropped afterwards), serves it from a separate
 * process, opens the page `--runs` times in fresh contexts. Writes ui.md and ui.json.
 *
 * Options: --runs N (default 7), --trials N (default 10000), --steps N (points per trial,
 * default 100), --out DIR (default bench/results).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { positiveInteger } from '../report/parse-flags.ts'
import { chromiumMissing, launchChromium } from '../../test/helpers/chromium.ts'
import { openBenchDatabase } from '../api/bench-database.ts'
import { commandLine } from '../report/command-line.ts'
import { describeMachine } from '../report/describe-machine.ts'
import { measurePageLoad, type PageLoad } from './measure-page-load.ts'
import { renderUiMarkdown, type UiReport } from './render-ui-markdown.ts'
import { seedUiExperiment } from './seed-ui-experiment.ts'
import { startBenchServer } from '../api/start-bench-server.ts'

const argv = process.argv.slice(2)
const { values } = parseArgs({
  args: argv,
  options: { runs: { type: 'string', default: '7' }, trials: { type: 'string', default: '10000' }, steps: { type: 'string', default: '100' }, out: { type: 'string' } },
})
let runs: number, trials: number, steps: number
try {
  runs = positiveInteger('--runs', values.runs)
  trials = positiveInteger('--trials', values.trials)
  steps = positiveInteger('--steps', values.steps)
} catch (error) {
  process.stderr.write(`bench:ui: ${(error as Error).message}\n`)
  process.exit(1)
}
const outDir = values.out ?? (relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')
const databaseUrl = process.env.DATABASE_URL?.trim()
if (!databaseUrl) {
  process.stderr.write('bench:ui needs PostgreSQL: set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:ui\n')
  process.exit(1)
}
const missing = chromiumMissing()
if (missing) {
  process.stderr.write(`bench:ui: ${missing}\n`)
  process.exit(1)
}

const machine = describeMachine()
const started = performance.now()
const db = await openBenchDatabase(databaseUrl)
const server = await startBenchServer(databaseUrl, db.schema, { dashboard: true })
const browser = await launchChromium()
const loads: PageLoad[] = []
let report: UiReport
try {
  const name = 'bench-ui'
  const seedStarted = performance.now()
  await seedUiExperiment(server.url, db.pool, name, { trials, stepsPerTrial: steps })
  const points = Number((await db.pool.query<{ n: string }>('select count(*) as n from observations')).rows[0]!.n)
  process.stderr.write(`seeded ${trials} trials and ${points} points in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`)
  const url = `${server.url}/experiments/${name}`
  // One unmeasured visit: the server's first queries plan and warm PostgreSQL's cache.
  await measurePageLoad(browser, url)
  for (let i = 0; i < runs; i++) {
    const load = await measurePageLoad(browser, url)
    loads.push(load)
    process.stderr.write(`run ${i + 1}/${runs}: interactive ${load.interactive_ms} ms, ${(load.bytes_interactive / 1024).toFixed(0)} KiB; complete ${load.complete_ms} ms, ${(load.bytes_complete / 1024).toFixed(0)} KiB\n`)
  }
  const version = (await db.pool.query<{ server_version: string }>('show server_version')).rows[0]!.server_version
  report = {
    meta: {
      generated: new Date().toISOString(), command: commandLine('bench:ui', 'bench/ui/main.ts', argv), machine,
      postgres: `PostgreSQL ${version}`, chromium: browser.version(), runtime_s: (performance.now() - started) / 1000,
    },
    experiment: { trials, points },
    runs: loads,
  }
} finally {
  await browser.close()
  await server.stop()
  await db.close()
}
mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, 'ui.json'), `${JSON.stringify(report, null, 1)}\n`)
const markdown = renderUiMarkdown(report)
writeFileSync(join(outDir, 'ui.md'), markdown)
process.stderr.write(`${markdown}\nwrote ${join(outDir, 'ui.md')} and ui.json\n`)
