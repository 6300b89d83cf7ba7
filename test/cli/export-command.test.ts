import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../../api/app.ts'
import type { FastifyInstance } from 'fastify'
import type { Store } from '../../db/store.ts'
import { parseCsv } from '../helpers/parse-csv.ts'
import { experimentYaml, postYaml, uniqueName } from '../helpers/test-app.ts'
import { openTestStore } from '../helpers/test-store.ts'

/** `tunewell export` as a user runs it: a child process against a server over HTTP. */
const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tunewell-export-cli-'))
const name = uniqueName('cli-export')
let store: Store
let app: FastifyInstance
let server: string

before(async () => {
  store = await openTestStore()
  app = await buildApp({ store, tokens: [{ token: 'reader-token-1234', role: 'read' }, { token: 'admin-token-5678', role: 'admin' }] })
  await app.listen({ host: '127.0.0.1', port: 0 })
  server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  assert.equal((await postYaml(app, experimentYaml(name, { template: false }), { authorization: 'Bearer admin-token-5678' })).statusCode, 201)
  const experiment = (await store.experiments.getByName(name))!
  const trials = await store.trials.createMany(experiment.id, Array.from({ length: 3 }, (_, i) => ({
    name: `${name}-t${i}`, params: { lr: 0.02 * (i + 1), optimizer: i % 2 ? 'sgd' : 'adam' },
  })))
  await store.trials.transition(trials[1]!.id, ['Pending'], 'Succeeded', {
    objective: 0.25, metrics: { loss: { min: 0.25, max: 0.9, latest: 0.25 } }, startedAt: new Date(0), finishedAt: new Date(2000),
  })
})

after(async () => {
  await app?.close()
  await store?.destroy()
})

function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: work,
      env: { ...process.env, TUNEWELL_SERVER: server, TUNEWELL_TOKEN: 'reader-token-1234', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

test('export prints CSV to stdout: a header and a row per trial by number', async () => {
  const { code, stdout, stderr } = await cli(['export', name])
  assert.equal(code, 0, stderr)
  const rows = parseCsv(stdout)
  assert.deepEqual(rows[0]!.slice(0, 8), ['number', 'name', 'state', 'lr', 'optimizer', 'objective', 'loss', 'reason'])
  assert.deepEqual(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], r[6]]), [
    ['0', `${name}-t0`, 'Pending', '0.02', 'adam', '', ''],
    ['1', `${name}-t1`, 'Succeeded', '0.04', 'sgd', '0.25', '0.25'],
    ['2', `${name}-t2`, 'Pending', '0.06', 'adam', '', ''],
  ])
  assert.equal(rows[2]!.at(-1), '2', 'durationSeconds')
})

test('export --format json -o FILE writes the file and says so; nothing else is left in the folder', async () => {
  const { code, stdout, stderr } = await cli(['export', name, '--format', 'json', '-o', 'trials.json'])
  assert.equal(code, 0, stderr)
  assert.equal(stdout, '')
  assert.match(stderr, /wrote trials\.json \(\d+ bytes, json\)/)
  const body = JSON.parse(readFileSync(join(work, 'trials.json'), 'utf8')) as { experiment: string; trials: { name: string; metrics: Record<string, unknown> }[] }
  assert.equal(body.experiment, name)
  assert.deepEqual(body.trials.map((t) => t.name), [`${name}-t0`, `${name}-t1`, `${name}-t2`])
  assert.deepEqual(body.trials[1]!.metrics, { loss: { min: 0.25, max: 0.9, latest: 0.25 } })
  assert.deepEqual(readdirSync(work).filter((f) => f.includes('partial')), [])
})

test('errors: an unknown experiment creates no file (exit 1), a bad format is refused (exit 2), a missing token says so', async () => {
  const missing = await cli(['export', 'no-such-experiment', '-o', 'missing.csv'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /not found/i)
  assert.equal(existsSync(join(work, 'missing.csv')), false)
  assert.deepEqual(readdirSync(work).filter((f) => f.includes('partial')), [])
  const bad = await cli(['export', name, '--format', 'xlsx'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /csv, json/)
  const anonymous = await cli(['export', name], { TUNEWELL_TOKEN: '' })
  assert.equal(anonymous.code, 1)
  assert.match(anonymous.stderr, /token/i)
})
