/**
 * `npm run bench:api`: the service under load on real PostgreSQL (DATABASE_URL): trial list of
 * a 100k-trial experiment, sustained metric ingest, ask/tell cycles. Writes api.md and api.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commandLine } from '../report/command-line.ts'
import { describeMachine } from '../report/describe-machine.ts'
import type { ScenarioContext } from './api-scenario.ts'
import { openBenchDatabase } from './bench-database.ts'
import { API_USAGE, parseApiArgs } from './parse-api-args.ts'
import { renderApiMarkdown, type ApiReport } from './render-api-markdown.ts'
import { benchAskTell } from './scenario-ask-tell.ts'
import { benchIngest } from './scenario-ingest.ts'
import { benchTrialList } from './scenario-trial-list.ts'
import { startBenchServer } from './start-bench-server.ts'

const argv = process.argv.slice(2)
let args
try {
  args = parseApiArgs(argv, relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')
} catch (error) {
  process.stderr.write(`bench:api: ${(error as Error).message}\n\n${API_USAGE}`)
  process.exit(1)
}
if (args.help) {
  process.stdout.write(API_USAGE)
  process.exit(0)
}
const databaseUrl = process.env.DATABASE_URL?.trim()
if (!databaseUrl) {
  process.stderr.write('bench:api measures the service on real PostgreSQL: set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:api\n')
  process.exit(1)
}

const machine = describeMachine()
const started = performance.now()
const db = await openBenchDatabase(databaseUrl)
const server = await startBenchServer(databaseUrl, db.schema)
const report: { -readonly [K in keyof ApiReport]: ApiReport[K] } = {} as ApiReport
try {
  const ctx: ScenarioContext = {
    url: server.url, store: db.store, pool: db.pool, durationS: args.durationS, connections: args.connections,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  }
  const version = (await db.pool.query<{ server_version: string }>('show server_version')).rows[0]!.server_version
  if (args.scenarios.includes('trial-list')) report.trial_list = await benchTrialList(ctx, args.trials)
  if (args.scenarios.includes('ingest')) report.ingest = await benchIngest(ctx, args.batch)
  if (args.scenarios.includes('ask-tell')) report.ask_tell = await benchAskTell(ctx, args.history)
  report.meta = {
    generated: new Date().toISOString(), command: commandLine('bench:api', 'bench/api/main.ts', argv), machine,
    postgres: `PostgreSQL ${version}`, runtime_s: (performance.now() - started) / 1000,
  }
} finally {
  await server.stop()
  await db.close()
}
mkdirSync(args.outDir, { recursive: true })
writeFileSync(join(args.outDir, 'api.json'), `${JSON.stringify(report, null, 1)}\n`)
const markdown = renderApiMarkdown(report)
writeFileSync(join(args.outDir, 'api.md'), markdown)
process.stderr.write(`${markdown.slice(markdown.indexOf('## Targets'))}\nwrote ${join(args.outDir, 'api.md')} and api.json\n`)
