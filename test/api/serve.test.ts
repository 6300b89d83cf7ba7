import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ExperimentResource } from '../../api/schemas/experiment.ts'
import type { TrialView } from '../../api/schemas/trial.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { startServe } from '../helpers/serve-process.ts'
import { uniqueName } from '../helpers/test-app.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))

describe('tunewell serve', () => {
  test('runs a submitted experiment to completion over HTTP and shuts down cleanly on SIGTERM', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tunewell-serve-'))
    const server = await startServe(['--home', home])
    const base = server.url
    try {
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
      assert.equal(await server.stop(), 0, server.output.err)
      assert.match(server.output.out, /stopping/)
    } finally {
      await server.stop()
    }
  })

  test('refuses to listen beyond loopback without a token, and rejects a bad port', () => {
    const env = { ...process.env, TUNEWELL_TOKEN: '' }
    const open = spawnSync(process.execPath, [bin, 'serve', '--host', '0.0.0.0', '--port', '0'], { env, encoding: 'utf8', timeout: 60_000 })
    assert.equal(open.status, 2, open.stderr)
    assert.match(open.stderr, /refusing to listen on 0\.0\.0\.0 without authentication/)
    assert.match(open.stderr, /--allow-unauthenticated/)
    const port = spawnSync(process.execPath, [bin, 'serve', '--port', 'http'], { env, encoding: 'utf8', timeout: 60_000 })
    assert.equal(port.status, 2)
    assert.match(port.stderr, /--port must be a whole number/)
  })
})
