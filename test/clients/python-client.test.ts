import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServe, type ServeProcess } from '../helpers/serve-process.ts'

/**
 * The Python client (clients/python, standard library only) against a real `tunewell serve` with
 * a token: its unittest suite (clients/python/tests) makes the calls and asserts what a user
 * sees; this file starts the server, runs the suite with Debian's python3 (any Python 3.9+:
 * PYTHON overrides) and checks that every test ran and passed.
 */

const clientDir = fileURLToPath(new URL('../../clients/python/', import.meta.url))

function findPython(): { python?: string; skip: false | string } {
  const candidates = [process.env.PYTHON?.trim(), '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c))
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import sys; assert sys.version_info >= (3, 9)'], { encoding: 'utf8', timeout: 30_000 })
    if (!probe.error && probe.status === 0) return { python, skip: false }
  }
  // CI installs Debian's python3: there a missing one fails instead of skipping.
  if (process.env.CI) return { skip: false }
  return { skip: `no Python 3.9+ (tried ${candidates.join(', ')})` }
}

const { python, skip } = findPython()

describe('the Python client against tunewell serve', { skip }, () => {
  let server: ServeProcess
  let home: string
  const token = 'python-client-test-token'

  before(async () => {
    assert.ok(python, 'no Python 3.9+ found')
    home = mkdtempSync(join(tmpdir(), 'tunewell-python-client-'))
    // PYTHONPATH reaches the trials the server runs (the Push test imports tunewell in one).
    server = await startServe(['--home', home], 180_000, { ...process.env, TUNEWELL_TOKEN: token, PYTHONPATH: clientDir })
  })
  after(async () => {
    await server?.stop()
    if (home) rmSync(home, { recursive: true, force: true })
  })

  test('the client suite passes: create, ask/tell, optimize with workers, best, trials, Ctrl-C, report_metrics from a Push trial', { timeout: 300_000 }, async () => {
    const env = { ...process.env, TUNEWELL_URL: server.url, TUNEWELL_TOKEN: token, PYTHONPATH: clientDir, PYTHONDONTWRITEBYTECODE: '1', TUNEWELL_TEST_PREFIX: `py${process.pid}` }
    const child = spawn(python!, ['-m', 'unittest', 'discover', '-v', '-s', join(clientDir, 'tests')], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    assert.equal(code, 0, `${output}\nserve:\n${server.output.err.slice(-4000)}`)
    const ran = /Ran (\d+) tests?/.exec(output)
    assert.ok(ran && Number(ran[1]) >= 8, output)
    assert.doesNotMatch(output, /skipped/, 'no test of the client may skip in this run')
    assert.match(output, /\nOK\s*$/, output)
  })
})
