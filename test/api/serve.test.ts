import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { uniqueName } from '../helpers/test-app.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))

/** Resolves with the URL `hypertune serve` prints once it listens. */
function listeningUrl(child: ChildProcess, output: { out: string; err: string }, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${timeoutMs} ms\n${output.out}\n${output.err}`)), timeoutMs)
    child.stdout!.on('data', (chunk: Buffer) => {
      output.out += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output.out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      output.err += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}\n${output.out}\n${output.err}`))
    })
  })
}

describe('hypertune serve', () => {
  test('runs a submitted experiment to completion over HTTP and shuts down cleanly on SIGTERM', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hypertune-serve-'))
    const output = { out: '', err: '' }
    // DATABASE_URL, when set, is inherited: the server then uses PostgreSQL.
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--home', home], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      const base = await listeningUrl(child, output, 180_000)
      assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/)
      const name = uniqueName('serve')
      const experiment = quadraticExperiment({ name, max: 4, parallel: 2 })
      const created = await fetch(`${base}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(experiment) })
      assert.equal(created.status, 201, await created.clone().text())

      let resource: ExperimentResource | undefined
      const deadline = Date.now() + 90_000
      while (Date.now() < deadline) {
        resource = (await (await fetch(`${base}/api/v1/experiments/${name}`)).json()) as ExperimentResource
        if (resource.status.state === 'Succeeded' || resource.status.state === 'Failed') break
        await sleep(200)
      }
      assert.equal(resource?.status.state, 'Succeeded', JSON.stringify(resource?.status))
      assert.equal(resource!.status.reason, 'ExperimentMaxTrialsReached')
      assert.equal(resource!.status.trialsSucceeded, 4)

      const trials = (await (await fetch(`${base}/api/v1/experiments/${name}/trials?sort=objective`)).json()) as { items: TrialView[] }
      assert.equal(trials.items.length, 4)
      assert.equal(trials.items[0]!.name, resource!.status.currentOptimalTrial.bestTrialName)
      const log = await fetch(`${base}/api/v1/experiments/${name}/trials/${trials.items[0]!.name}/logs?tail=1`)
      assert.equal(log.status, 200)
      assert.match(await log.text(), /loss=/)

      assert.equal((await fetch(`${base}/api/v1/experiments/${name}`, { method: 'DELETE' })).status, 204)
      child.kill('SIGTERM')
      assert.equal(await exited, 0, output.err)
      assert.match(output.out, /stopping/)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    }
  })

  test('refuses to listen beyond loopback without a token, and rejects a bad port', () => {
    const env = { ...process.env, HYPERTUNE_TOKEN: '' }
    const open = spawnSync(process.execPath, [bin, 'serve', '--host', '0.0.0.0', '--port', '0'], { env, encoding: 'utf8', timeout: 60_000 })
    assert.equal(open.status, 2, open.stderr)
    assert.match(open.stderr, /refusing to listen on 0\.0\.0\.0 without authentication/)
    assert.match(open.stderr, /--allow-unauthenticated/)
    const port = spawnSync(process.execPath, [bin, 'serve', '--port', 'http'], { env, encoding: 'utf8', timeout: 60_000 })
    assert.equal(port.status, 2)
    assert.match(port.stderr, /--port must be a whole number/)
  })
})
