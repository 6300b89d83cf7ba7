import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { RUN_API_FILE } from '../../cli/run-api-record.ts'
import { DEFAULT_SERVER } from '../../cli/server-options.ts'
import { parseCsv } from '../helpers/parse-csv.ts'
import { quadraticExperimentYaml, quadraticFixture } from '../helpers/experiment-yaml.ts'
import { uniqueName } from '../helpers/test-app.ts'

/**
 * Results without a server: after `tunewell run`, the reading commands open the local
 * database; while a run holds it (PGlite: one process), they ask that run. The CLI as a child
 * process each time, with no TUNEWELL_SERVER.
 */
const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tunewell-local-results-'))

// These commands first try the default address; a server someone left there would answer instead.
let serverAtDefault = false
before(async () => {
  serverAtDefault = await fetch(`${DEFAULT_SERVER}/healthz`, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false)
})
after(() => rmSync(work, { recursive: true, force: true }))

interface Result { code: number | null; stdout: string; stderr: string }

function start(args: readonly string[], cwd: string): { child: ChildProcess; done: Promise<Result> } {
  const env: NodeJS.ProcessEnv = { ...process.env }
  // The embedded database: no PostgreSQL, no server named.
  for (const key of ['TUNEWELL_SERVER', 'TUNEWELL_TOKEN', 'DATABASE_URL']) delete env[key]
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<Result>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
  return { child, done }
}
const cli = (args: readonly string[], cwd = work) => start(args, cwd).done

test('after `run` ends, trials, best, get and export read the local database', { timeout: 240_000 }, async (t) => {
  if (serverAtDefault) return t.skip(`a server answers at ${DEFAULT_SERVER}`)
  const dir = mkdtempSync(join(work, 'after-'))
  const name = uniqueName('local')
  writeFileSync(join(dir, 'exp.yaml'), quadraticExperimentYaml({ name, max: 3, parallel: 1 }))
  const run = await cli(['run', 'exp.yaml'], dir)
  assert.equal(run.code, 0, run.stderr)
  assert.equal(existsSync(join(dir, '.tunewell', RUN_API_FILE)), false, 'the run removed its record')

  const trials = await cli(['trials', name, '-o', 'json'], dir)
  assert.equal(trials.code, 0, trials.stderr)
  const items = JSON.parse(trials.stdout) as { name: string; state: string; objective: number }[]
  assert.equal(items.length, 3)
  assert.ok(items.every((i) => i.state === 'Succeeded' && typeof i.objective === 'number'), trials.stdout)

  const exported = await cli(['export', name], dir)
  assert.equal(exported.code, 0, exported.stderr)
  const rows = parseCsv(exported.stdout)
  assert.deepEqual(rows.slice(1).map((r) => r[1]).sort(), items.map((i) => i.name).sort())

  const best = await cli(['best', name], dir)
  assert.equal(best.code, 0, best.stderr)
  assert.match(best.stdout, /best trial/)
  // Another folder: its own (absent) database, unless --home points here.
  const elsewhere = await cli(['get', name], work)
  assert.equal(elsewhere.code, 1)
  assert.match(elsewhere.stderr, /no tunewell server answers at .* and there is no local database in .*: start `tunewell serve`/)
  const home = await cli(['get', name, '--home', dir, '-o', 'json'], work)
  assert.equal(home.code, 0, home.stderr)
  assert.equal((JSON.parse(home.stdout) as { status: { state: string } }).status.state, 'Succeeded')
})

test('during a `run`, get answers from the run itself (its recorded address and token)', { timeout: 240_000 }, async (t) => {
  if (serverAtDefault) return t.skip(`a server answers at ${DEFAULT_SERVER}`)
  const dir = mkdtempSync(join(work, 'during-'))
  const name = uniqueName('live')
  const gate = join(dir, 'open')
  // The trial waits for the test to open the gate, so the run is surely still running when asked.
  writeFileSync(join(dir, 'gated.mjs'), `import { existsSync } from 'node:fs'
while (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 50))
await import(${JSON.stringify(quadraticFixture)})
`)
  writeFileSync(join(dir, 'exp.yaml'), quadraticExperimentYaml({
    name, max: 1, parallel: 1, command: [process.execPath, join(dir, 'gated.mjs'), '--x=${trialParameters.x}', '--y=${trialParameters.y}'],
  }))
  const run = start(['run', 'exp.yaml'], dir)
  try {
    const record = join(dir, '.tunewell', RUN_API_FILE)
    for (let i = 0; i < 1200 && !existsSync(record); i++) await sleep(100)
    assert.ok(existsSync(record), 'the run recorded its address')
    const get = await cli(['get', name, '-o', 'json'], dir)
    assert.equal(get.code, 0, get.stderr)
    const resource = JSON.parse(get.stdout) as { metadata: { name: string }; status: { state: string } }
    assert.equal(resource.metadata.name, name)
    assert.notEqual(resource.status.state, 'Succeeded')
    const trials = await cli(['trials', name], dir)
    assert.equal(trials.code, 0, trials.stderr)
    assert.match(trials.stdout, new RegExp(`${name}-`))
  } finally {
    writeFileSync(gate, '')
  }
  const ended = await run.done
  assert.equal(ended.code, 0, ended.stderr)
  assert.equal(existsSync(join(dir, '.tunewell', RUN_API_FILE)), false)
})
