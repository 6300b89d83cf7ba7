/**
 * `tunewell enqueue NAME --params ... | --file ...` against a running `serve`, as a user types it:
 * the queued sets are the next trials a worker gets, a value outside the space is refused by its
 * JSON path with nothing queued, and a malformed `--params` never reaches the server.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { askTellExperimentObject } from '../helpers/experiment-yaml.ts'
import { startServe, type ServeProcess } from '../helpers/serve-process.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-enqueue-cli-'))
const name = `enqueue-cli-${Date.now().toString(36)}`
let server: ServeProcess

function cli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [bin, ...args, '--server', server.url], { cwd: home, encoding: 'utf8', env: process.env, timeout: 120_000 })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

async function ask(): Promise<{ name: string; params: Record<string, number> }> {
  const res = await fetch(`${server.url}/api/v1/experiments/${name}/trials:ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  assert.equal(res.status, 200, await res.clone().text())
  return (await res.json()) as { name: string; params: Record<string, number> }
}

describe('tunewell enqueue', () => {
  before(async () => {
    server = await startServe(['--home', home])
    const created = await fetch(`${server.url}/api/v1/experiments`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(askTellExperimentObject(name, { parallel: 5, max: 10 })),
    })
    assert.equal(created.status, 201, await created.text())
  })
  after(async () => {
    await server?.stop()
  })

  test('queued sets from --params and --file are the next trials, in order', { timeout: 240_000 }, async () => {
    const file = join(home, 'sets.json')
    writeFileSync(file, JSON.stringify([{ x: 0.125 }]))
    const queued = cli(['enqueue', name, '--params', 'x=0.5', '--params', 'x=0.25', '--file', file])
    assert.equal(queued.code, 0, queued.err)
    assert.match(queued.out, /3 parameter sets queued for experiment "[^"]+" \(3 waiting for a trial\)/)
    const trials = [await ask(), await ask(), await ask()]
    assert.deepEqual(trials.map((t) => t.params.x), [0.5, 0.25, 0.125])
  })

  test('a value outside the space is refused at its JSON path and nothing is queued; bad --params exits 2', { timeout: 240_000 }, async () => {
    const refused = cli(['enqueue', name, '--params', 'x=0.5', '--params', 'x=2'])
    assert.equal(refused.code, 1, refused.out + refused.err)
    assert.match(refused.err, /\/params\/1\/x/)
    assert.match(refused.err, /outside/)
    // Nothing of the refused call was queued: the next trial is the algorithm's own draw.
    const next = await ask()
    assert.notEqual(next.params.x, 0.5)
    const malformed = cli(['enqueue', name, '--params', 'x0.5'])
    assert.equal(malformed.code, 2)
    assert.match(malformed.err, /is not name=value/)
  })
})
