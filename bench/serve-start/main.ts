/**
 * `npm run bench:serve-start`: how long `tunewell serve` takes from the spawn of its process to a
 * healthy GET /healthz, the way it ran before the package was compiled (TypeScript through tsx,
 * the dashboard bundled by esbuild at start when stale) against the installed package (compiled
 * JavaScript, the dashboard prebuilt). Packs this repository and installs the tarball into a
 * temporary folder (as test/package/pack-install.test.ts does), copies the tracked sources beside
 * it, then starts each variant --runs times, in turns, after one unmeasured warm-up each. Every
 * variant has its own home with an embedded PGlite database, created by its warm-up, so each
 * measured start opens an existing database, as a restarted server does. Writes serve-start.md
 * and serve-start.json.
 *
 * Options: --runs N (default 7), --out DIR (default bench/results).
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { packAndInstall } from '../../test/helpers/packed-install.ts'
import { commandLine } from '../report/command-line.ts'
import { describeMachine } from '../report/describe-machine.ts'
import { positiveInteger } from '../report/parse-flags.ts'
import { quantile } from '../report/quantile.ts'
import { renderServeStartMarkdown, type ServeStartReport, type VariantResult } from './render-serve-start-markdown.ts'
import { timeServeStart, type ServeStart } from './time-serve-start.ts'

const argv = process.argv.slice(2)
const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '7' }, out: { type: 'string' } } })
let runs: number
try {
  runs = positiveInteger('--runs', values.runs)
} catch (error) {
  process.stderr.write(`bench:serve-start: ${(error as Error).message}\n`)
  process.exit(1)
}
const root = fileURLToPath(new URL('../../', import.meta.url))
const outDir = values.out ?? (relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')
// The embedded database in each variant's home, whatever the caller's environment says.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'DATABASE_URL' && !key.startsWith('TUNEWELL_')))

const machine = describeMachine()
const work = mkdtempSync(join(tmpdir(), 'tunewell-serve-start-'))
try {
  process.stderr.write('packing and installing the package...\n')
  const installed = packAndInstall(work)
  process.stderr.write(`packed in ${seconds(installed.packMs)}, installed in ${seconds(installed.installMs)}\n`)
  const source = copySources(join(work, 'source'))

  interface Variant {
    readonly name: string
    readonly description: string
    readonly argv: readonly string[]
    /** Run before each start (not timed). */
    readonly prepare?: () => void
  }
  const variants: Variant[] = [
    {
      name: 'sources, dashboard bundled at start',
      description: 'cli/bin.mjs through tsx, ui/dist removed before each start: esbuild bundles the dashboard (the state after any change of ui/, and the first start of the package as it was)',
      argv: [join(source, 'cli', 'bin.mjs')],
      prepare: () => rmSync(join(source, 'ui', 'dist'), { recursive: true, force: true }),
    },
    {
      name: 'sources, dashboard up to date',
      description: 'cli/bin.mjs through tsx, ui/dist already built: the sources are compiled by tsx (from its cache) and the dashboard\'s sources are checked for changes',
      argv: [join(source, 'cli', 'bin.mjs')],
    },
    {
      name: 'installed package',
      description: 'node_modules/.bin/tunewell of the installed tarball: compiled JavaScript, the dashboard built at pack time',
      argv: [installed.bin],
    },
  ]
  const samples = new Map<string, ServeStart[]>(variants.map((v) => [v.name, []]))
  const homes = new Map(variants.map((v, i) => [v.name, join(work, `home-${i}`)]))
  const once = async (variant: Variant) => {
    variant.prepare?.()
    return timeServeStart(variant.argv, homes.get(variant.name)!, env)
  }
  for (const variant of variants) {
    mkdirSync(homes.get(variant.name)!)
    process.stderr.write(`warm-up: ${variant.name}\n`)
    await once(variant)
  }
  // In turns, so whatever else the machine does falls on every variant alike.
  for (let run = 1; run <= runs; run++) {
    for (const variant of variants) {
      const sample = await once(variant)
      samples.get(variant.name)!.push(sample)
      process.stderr.write(`run ${run}/${runs} ${variant.name}: healthy in ${Math.round(sample.healthyMs)} ms, ${sample.cpuMs === undefined ? '?' : Math.round(sample.cpuMs)} ms of CPU\n`)
    }
  }

  const results: VariantResult[] = variants.map((variant) => {
    const taken = samples.get(variant.name)!
    const healthy = taken.map((s) => s.healthyMs)
    return {
      name: variant.name,
      description: variant.description,
      healthy_median_ms: round(quantile(healthy, 0.5)),
      healthy_min_ms: round(Math.min(...healthy)),
      healthy_max_ms: round(Math.max(...healthy)),
      listening_median_ms: round(quantile(taken.map((s) => s.listeningMs), 0.5)),
      cpu_median_ms: taken.every((s) => s.cpuMs !== undefined) ? round(quantile(taken.map((s) => s.cpuMs!), 0.5)) : null,
      healthy_ms: healthy.map(round),
    }
  })
  const report: ServeStartReport = {
    generated: new Date().toISOString(),
    command: commandLine('bench:serve-start', 'bench/serve-start/main.ts', argv),
    machine,
    runs,
    pack_ms: round(installed.packMs),
    install_ms: round(installed.installMs),
    variants: results,
  }
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'serve-start.json'), JSON.stringify(report, null, 2) + '\n')
  writeFileSync(join(outDir, 'serve-start.md'), renderServeStartMarkdown(report))
  process.stdout.write(renderServeStartMarkdown(report))
} finally {
  rmSync(work, { recursive: true, force: true })
}

/** The repository's tracked files (as they are in the working tree), with its node_modules linked. */
function copySources(into: string): string {
  const listed = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`)
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const target = join(into, file)
    mkdirSync(dirname(target), { recursive: true })
    try {
      copyFileSync(join(root, file), target)
    } catch (error) {
      // Tracked but deleted in the working tree: not part of the sources as they are.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  symlinkSync(join(root, 'node_modules'), join(into, 'node_modules'), 'dir')
  return into
}

function round(ms: number): number {
  return Math.round(ms)
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
