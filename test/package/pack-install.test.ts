/**
 * The package as it ships: `npm pack` (which builds dist/ through `prepack`), the tarball
 * installed into an empty folder, and the installed `tunewell` run from there the way a user runs
 * it: `npx tunewell --help`, `validate` on a Katib example, a two-trial `run` on the embedded
 * PGlite, and `serve` with its prebuilt dashboard and a model-based algorithm (the worker thread).
 *
 * SLOW: the `package` tier of its own (`npm run test:package`). 40 s to three minutes, almost all
 * of it loading the file (the build, then `npm install` of the dependencies from the registry or
 * npm's cache); the tests themselves take seconds. Skipped, saying why, only where npm itself
 * cannot run.
 */
import { describe, test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PackImpossible, packAndInstall, type PackedInstall } from '../helpers/packed-install.ts'

const katibExample = fileURLToPath(new URL('../fixtures/katib/hp-tuning/random.yaml', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'tunewell-package-'))
after(() => rmSync(work, { recursive: true, force: true }))

let installed: PackedInstall | undefined
let skip: string | false = false
try {
  installed = packAndInstall(work)
} catch (error) {
  if (!(error instanceof PackImpossible)) throw error
  skip = error.message
}

/**
 * The installed commands run on the embedded PGlite of their folder whatever the suite runs on:
 * no DATABASE_URL (the PostgreSQL pass sets it), and no TUNEWELL_* setting of the caller's.
 */
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'DATABASE_URL' && !key.startsWith('TUNEWELL_')))

/** `npx tunewell ...` in the install folder; --no: never fetched from the registry instead. */
function npxTunewell(args: readonly string[], cwd = installed!.dir) {
  const result = spawnSync('npx', ['--no', '--', 'tunewell', ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** A trial program: prints loss=(x-0.3)^2 for its --x=. */
const TRIAL = 'const x = Number(process.argv[2].split("=")[1])\nconsole.log(`loss=${((x - 0.3) ** 2).toFixed(6)}`)\n'

function experimentYaml(name: string, algorithm: string): string {
  return [
    'apiVersion: kubeflow.org/v1beta1',
    'kind: Experiment',
    `metadata: { name: ${name} }`,
    'spec:',
    '  objective: { type: minimize, objectiveMetricName: loss }',
    `  algorithm: { algorithmName: ${algorithm} }`,
    '  parallelTrialCount: 1',
    '  maxTrialCount: 2',
    '  maxFailedTrialCount: 1',
    '  parameters:',
    '    - { name: x, parameterType: double, feasibleSpace: { min: "0", max: "1" } }',
    '  trialTemplate:',
    '    command: [node, trial.mjs, "--x=${trialParameters.x}"]',
    '',
  ].join('\n')
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

describe('the packed tarball, installed into an empty folder', { skip }, () => {
  test('holds the compiled package only, and needs neither tsx nor esbuild', () => {
    const pkg = join(installed!.dir, 'node_modules', 'tunewell')
    assert.deepEqual(readdirSync(pkg).sort(), ['README.md', 'cli', 'dist', 'package.json'])
    assert.deepEqual(readdirSync(join(pkg, 'cli')), ['bin.mjs'], 'the bin only: no sources beside it')
    const files = filesUnder(join(pkg, 'dist')).map((file) => relative(pkg, file))
    assert.deepEqual(files.filter((file) => /\.(ts|tsx|mts|mjs)$/.test(file)), [], 'plain .js only: no TypeScript, no bootstrap shims')
    for (const file of ['dist/cli/tunewell.js', 'dist/suggestion/suggestion-worker-entry.js', 'dist/dashboard/index.html', 'dist/dashboard/assets/main.js']) {
      assert.ok(files.includes(file), `${file} is missing`)
    }
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string> }
    assert.deepEqual(manifest.bin, { tunewell: 'cli/bin.mjs' })
    for (const name of ['tsx', 'esbuild', 'typescript']) {
      assert.equal(existsSync(join(installed!.dir, 'node_modules', name)), false, `${name} was installed with the package`)
    }
  })

  test('npx tunewell --help', () => {
    const result = npxTunewell(['--help'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Usage: tunewell /)
    for (const command of ['run', 'validate', 'serve', 'submit']) assert.match(result.stdout, new RegExp(`\\n  ${command} `))
  })

  test('npx tunewell validate: a Katib example is valid, a broken file exits 2', () => {
    const valid = npxTunewell(['validate', katibExample])
    assert.equal(valid.code, 0, valid.stderr)
    assert.match(valid.stdout, /random\.yaml: valid Experiment "random"/)

    const broken = join(installed!.dir, 'broken.yaml')
    writeFileSync(broken, 'apiVersion: kubeflow.org/v1beta1\nkind: Experiment\nmetadata: { name: broken }\nspec:\n  maxTrialCount: -1\n')
    const invalid = npxTunewell(['validate', broken])
    assert.equal(invalid.code, 2)
    assert.match(invalid.stderr + invalid.stdout, /broken\.yaml:5:3 .*maxTrialCount -1 is not positive/)
  })

  test('npx tunewell run: two trials on the embedded PGlite in the folder', () => {
    const dir = join(installed!.dir, 'run')
    mkdirSync(dir)
    writeFileSync(join(dir, 'trial.mjs'), TRIAL)
    writeFileSync(join(dir, 'tiny.yaml'), experimentYaml('packaged', 'random'))
    const result = npxTunewell(['run', 'tiny.yaml'], dir)
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`)
    assert.match(result.stdout, /experiment "packaged" Succeeded/)
    assert.equal(result.stdout.match(/ packaged-\w+ +Succeeded /g)?.length, 2, result.stdout)
    assert.match(result.stdout, /best trial packaged-\w+: loss=\d/)
    assert.ok(existsSync(join(dir, '.tunewell', 'db')), 'the embedded database lives in the working folder')
  })

  test('tunewell serve: the prebuilt dashboard, and tpe answered by the compiled worker thread', async () => {
    const home = join(installed!.dir, 'serve')
    mkdirSync(home)
    writeFileSync(join(home, 'trial.mjs'), TRIAL)
    writeFileSync(join(home, 'tpe.yaml'), experimentYaml('packaged-tpe', 'tpe'))
    const child = spawn(process.execPath, [installed!.bin, 'serve', '--port', '0', '--home', home], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const output = { out: '', err: '' }
    child.stdout.on('data', (chunk: Buffer) => (output.out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output.err += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    try {
      const url = await until(() => /listening on (http:\/\/\S+)/.exec(output.out)?.[1], 'serve to listen', output)

      assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' })
      // The version comes from the package's own package.json, two folders above dist/api/.
      const openapi = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as { info: { version: string } }
      assert.equal(openapi.info.version, (JSON.parse(readFileSync(join(installed!.dir, 'node_modules', 'tunewell', 'package.json'), 'utf8')) as { version: string }).version)
      const page = await fetch(`${url}/`)
      assert.equal(page.status, 200)
      assert.match(await page.text(), /assets\/main\.js/)
      assert.equal((await fetch(`${url}/assets/main.js`)).status, 200)

      const submitted = spawnSync(process.execPath, [installed!.bin, 'submit', join(home, 'tpe.yaml'), '--server', url], { env, encoding: 'utf8', timeout: 60_000 })
      assert.equal(submitted.status, 0, `${submitted.stdout}\n${submitted.stderr}`)
      const experiment = await until(async () => {
        const body = (await (await fetch(`${url}/api/v1/experiments/packaged-tpe`)).json()) as { status: { state: string; trialsSucceeded: number } }
        const { state } = body.status
        return state === 'Succeeded' || state === 'Failed' ? body : undefined
      }, 'the tpe experiment to finish', output)
      assert.equal(experiment.status.state, 'Succeeded', JSON.stringify(experiment))
      assert.equal(experiment.status.trialsSucceeded, 2)
      assert.doesNotMatch(output.err, /warning|error/i, 'serve warned (a dashboard it could not build?)')
    } finally {
      child.kill('SIGTERM')
    }
    assert.equal(await exited, 0, `${output.out}\n${output.err}`)
  })
})

/** Polls `probe` until it returns a value; fails with serve's output after 45 s, within the runner's 60 s per test. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, output: { out: string; err: string }): Promise<T> {
  const deadline = Date.now() + 45_000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}\n${output.out}\n${output.err}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
