import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Store } from '../../db/store.ts'
import { quadraticExperimentYaml } from '../helpers/experiment-yaml.ts'
import { deleteCliExperiments, withCliStore } from '../helpers/cli-store.ts'

// `tunewell run --ui` as the user runs it: a child process, its printed URL, its exit code.
// DATABASE_URL, when set, is inherited: the run and the cleanup then use PostgreSQL.
const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'tunewell-run-ui-'))
const suffix = Date.now().toString(36)
const created: string[] = []

/** Opens the database the CLI used (only once it exited: PGlite allows one process). */
const withStore = <T>(work: (store: Store) => Promise<T>): Promise<T> => withCliStore(home, work)

after(() => deleteCliExperiments(home, created))

/** An experiment whose trials take about a second each (3 steps of 300 ms), 6 of them 2 at a time. */
function writeExperiment(name: string, sleepMs = 300): string {
  created.push(name)
  const file = join(home, `${name}.yaml`)
  writeFileSync(file, quadraticExperimentYaml({ name, parallel: 2, max: 6, flags: [`--sleep-ms=${sleepMs}`] }))
  return file
}

interface RunProcess {
  readonly child: ChildProcess
  readonly output: { out: string; err: string }
  readonly exited: Promise<number | null>
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
}

function startRun(args: readonly string[]): RunProcess {
  const output = { out: '', err: '' }
  const env = { ...process.env }
  delete env.TUNEWELL_PORT
  const child = spawn(process.execPath, [bin, 'run', ...args, '--home', home], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const listeners = new Set<() => void>()
  child.stdout!.on('data', (chunk: Buffer) => {
    output.out += chunk.toString()
    for (const listener of listeners) listener()
  })
  child.stderr!.on('data', (chunk: Buffer) => (output.err += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const waitFor = (pattern: RegExp, timeoutMs = 180_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${timeoutMs} ms\n${output.out}\n${output.err}`)), timeoutMs)
      const finish = (error?: Error, match?: RegExpExecArray) => {
        clearTimeout(timer)
        listeners.delete(check)
        if (match) resolve(match)
        else reject(error)
      }
      const check = () => {
        const match = pattern.exec(output.out)
        if (match) finish(undefined, match)
      }
      listeners.add(check)
      void exited.then((code) => finish(new Error(`run exited with ${code} before ${pattern}\n${output.out}\n${output.err}`)))
      check()
    })
  return { child, output, exited, waitFor }
}

/** Reads the stream until `pattern` shows up in it; the text read so far. */
async function readStreamUntil(url: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  let text = ''
  try {
    const response = await fetch(url, { signal: abort.signal })
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/)
    const decoder = new TextDecoder()
    for await (const chunk of response.body!) {
      text += decoder.decode(chunk as Uint8Array, { stream: true })
      if (pattern.test(text)) return text
    }
    return text
  } catch (error) {
    if (abort.signal.aborted) return text
    throw error
  } finally {
    clearTimeout(timer)
    abort.abort()
  }
}

describe('tunewell run --ui', () => {
  test('serves the API, the dashboard and live events while it runs, then exits 0', async () => {
    const name = `run-ui-${suffix}`
    const run = startRun([writeExperiment(name), '--ui', '--port', '0'])
    try {
      const [, url, origin] = await run.waitFor(/dashboard: ((http:\/\/127\.0\.0\.1:\d+)\/experiments\/(\S+))\n/)
      assert.equal(url, `${origin}/experiments/${name}`)

      const experiment = await fetch(`${origin}/api/v1/experiments/${name}`)
      assert.equal(experiment.status, 200)
      const resource = (await experiment.json()) as { metadata: { name: string } }
      assert.equal(resource.metadata.name, name)

      const page = await fetch(url!)
      assert.equal(page.status, 200)
      assert.match(page.headers.get('content-type') ?? '', /text\/html/)
      assert.match(await page.text(), /<script[^>]+\/assets\/main\.js/)

      // Subscribed without Last-Event-ID: only what happens from now on, so this is the runner's
      // writes reaching the stream live, through the events table, in the same process.
      const events = await readStreamUntil(`${origin}/api/v1/experiments/${name}/events`, /event: trial:state-changed\n/, 60_000)
      assert.match(events, /event: trial:state-changed\ndata: \{[^\n]*"experiment":"run-ui-/, events)

      assert.equal(await run.exited, 0, run.output.out + run.output.err)
      assert.match(run.output.out, new RegExp(`experiment "${name}" Succeeded`))
      assert.doesNotMatch(run.output.out, /still serving/)
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL')
    }
  })

  test('--ui-wait keeps serving after the run until SIGTERM, then exits with the run\'s code', async () => {
    const name = `run-ui-wait-${suffix}`
    const run = startRun([writeExperiment(name, 0), '--ui-wait', '--port', '0'])
    try {
      const [, url] = await run.waitFor(/still serving (http:\/\/\S+) until/)
      const origin = new URL(url!).origin
      const experiment = (await (await fetch(`${origin}/api/v1/experiments/${name}`)).json()) as { status: { conditions?: unknown } }
      assert.match(JSON.stringify(experiment), /Succeeded/)
      // A submission is refused: nothing in this process would run it.
      const submitted = await fetch(`${origin}/api/v1/experiments`, {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: `apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata: {name: other-${suffix}}\nspec:\n  objective: {type: minimize, objectiveMetricName: loss}\n  algorithm: {algorithmName: random}\n  parameters:\n    - {name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}\n  trialTemplate: {command: [node, x.js]}\n`,
      })
      assert.equal(submitted.status, 422, await submitted.text())
      run.child.kill('SIGTERM')
      assert.equal(await run.exited, 0, run.output.out + run.output.err)
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL')
    }
  })

  test('a non-loopback --host and a taken port are refused with exit 2, and nothing runs', async () => {
    const name = `run-ui-refused-${suffix}`
    const file = writeExperiment(name)
    const outside = startRun([file, '--ui', '--host', '0.0.0.0', '--port', '0'])
    assert.equal(await outside.exited, 2)
    assert.match(outside.output.err, /only on loopback .*not on 0\.0\.0\.0.*tunewell serve/)

    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as AddressInfo).port
    try {
      const taken = startRun([file, '--ui', '--port', String(port)])
      assert.equal(await taken.exited, 2)
      assert.match(taken.output.err, new RegExp(`port ${port} .*already in use.*--port`))
      assert.doesNotMatch(taken.output.out, /dashboard:/)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }

    const noUi = startRun([file, '--port', '0'])
    assert.equal(await noUi.exited, 2)
    assert.match(noUi.output.err, /--port and --host only apply with --ui/)
    assert.equal(await withStore((store) => store.experiments.getByName(name)), undefined, 'the experiment was never created')
  })
})
