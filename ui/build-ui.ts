import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const UI_DIR = fileURLToPath(new URL('.', import.meta.url))
/** The sources whose changes make a rebuild necessary. */
const SOURCES = [join(UI_DIR, 'src'), join(UI_DIR, 'index.html'), fileURLToPath(import.meta.url)]
/** Where `npm run build:ui` and `tunewell serve` put the bundle (gitignored). */
export const DEFAULT_DASHBOARD_DIR = join(UI_DIR, 'dist')
/** Written last, so a half-finished build never counts as up to date. */
const STAMP = 'build-stamp.json'

export interface DashboardBuild {
  /** The folder to serve: index.html and assets/. */
  readonly dir: string
  /** False when the bundle was already newer than every source. */
  readonly built: boolean
  readonly ms: number
}

export interface DashboardBuildOptions {
  /** Build even when the bundle is up to date. */
  readonly force?: boolean
  /** main.js.map and main.css.map beside the bundle; default true. The package leaves them out (4.6 of its 7.5 MB). */
  readonly sourceMaps?: boolean
}

/**
 * Builds the dashboard bundle (ui/src → dist/assets/main.js + main.css, and index.html) when it
 * is missing or older than its sources, so a fresh clone needs no build step before
 * `tunewell serve`; esbuild takes well under a second. The new build is written next to the
 * old one and swapped in, so a server that is serving the old one never sees a half-written file.
 */
export async function ensureDashboardBuilt(outDir: string = DEFAULT_DASHBOARD_DIR, options: DashboardBuildOptions = {}): Promise<DashboardBuild> {
  const started = performance.now()
  if (!options.force && (await isUpToDate(outDir))) return { dir: outDir, built: false, ms: performance.now() - started }
  // esbuild is only needed when something changed: loaded lazily, `serve` starts faster without it.
  const { build } = await import('esbuild')
  const staging = `${outDir}.staging-${process.pid}`
  await rm(staging, { recursive: true, force: true })
  await mkdir(join(staging, 'assets'), { recursive: true })
  try {
    await build({
      entryPoints: { main: join(UI_DIR, 'src', 'main.tsx') },
      outdir: join(staging, 'assets'),
      bundle: true,
      minify: true,
      sourcemap: options.sourceMaps === false ? false : 'linked',
      format: 'esm',
      target: ['es2022'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'none',
      logLevel: 'silent',
      tsconfig: join(UI_DIR, 'tsconfig.json'),
    })
    await copyFile(join(UI_DIR, 'index.html'), join(staging, 'index.html'))
    await precompress(join(staging, 'assets'))
    await writeStamp(staging)
    await rm(outDir, { recursive: true, force: true })
    await rename(staging, outDir)
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  return { dir: outDir, built: true, ms: performance.now() - started }
}

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/**
 * main.js.br and main.js.gz (and the same for the CSS) next to each file, served as they are by
 * the dashboard plugin to clients that accept them: the 780 KB bundle travels as about 230 KB,
 * compressed once here at the highest setting instead of on every request.
 */
async function precompress(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!/\.(js|css)$/.test(name)) continue
    const content = await readFile(join(dir, name))
    await writeFile(join(dir, `${name}.br`), await brotli(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
    await writeFile(join(dir, `${name}.gz`), await gzipAsync(content, { level: 9 }))
  }
}

async function writeStamp(dir: string): Promise<void> {
  await writeFile(join(dir, STAMP), JSON.stringify({ builtAt: new Date().toISOString() }) + '\n')
}

async function isUpToDate(outDir: string): Promise<boolean> {
  let builtAt: number
  try {
    builtAt = (await stat(join(outDir, STAMP))).mtimeMs
  } catch {
    return false
  }
  for (const source of SOURCES) {
    if ((await newestMtime(source)) > builtAt) return false
  }
  return true
}

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path)
  if (!info.isDirectory()) return info.mtimeMs
  let newest = info.mtimeMs
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)))
  return newest
}

// `npm run build:ui`: always rebuilds.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await ensureDashboardBuilt(DEFAULT_DASHBOARD_DIR, { force: true })
  process.stdout.write(`dashboard built into ${result.dir} in ${Math.round(result.ms)} ms\n`)
}
