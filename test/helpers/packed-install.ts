import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** The packed tarball, installed into a folder of its own as a user would install it. */
export interface PackedInstall {
  /** The folder it is installed in (node_modules/tunewell below it). */
  readonly dir: string
  /** node_modules/.bin/tunewell: what `npx tunewell` runs there. */
  readonly bin: string
  readonly tarball: string
  readonly packMs: number
  readonly installMs: number
}

/** Why the package could not be packed here at all (no npm): the caller skips with this. */
export class PackImpossible extends Error {}

/**
 * `npm pack` of this repository (which builds dist/ through `prepack`) into `workDir`/pack, then
 * `npm install <tarball>` into `workDir`/app, an empty project. Takes a minute or two: the build,
 * then the package's dependencies from the registry (from npm's cache when it has them).
 * Throws PackImpossible when npm cannot be run, and an Error with npm's output when it fails.
 */
export function packAndInstall(workDir: string): PackedInstall {
  const packDir = join(workDir, 'pack')
  const dir = join(workDir, 'app')
  mkdirSync(packDir, { recursive: true })
  mkdirSync(dir, { recursive: true })

  let started = performance.now()
  const pack = npm(['pack', '--pack-destination', packDir], root)
  if (pack.error) throw new PackImpossible(`npm pack cannot run here: ${pack.error.message}`)
  if (pack.status !== 0) throw new Error(`npm pack failed (exit ${pack.status}):\n${pack.stdout}\n${pack.stderr}`)
  const packMs = performance.now() - started
  const tarballs = readdirSync(packDir).filter((name) => name.endsWith('.tgz'))
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs: ${tarballs.join(', ')}`)
  const tarball = join(packDir, tarballs[0]!)

  // A project of its own, so npm installs here and never into a project above the folder.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tunewell-install-check', private: true }) + '\n')
  started = performance.now()
  const install = npm(['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir)
  if (install.status !== 0) throw new Error(`npm install of the tarball failed (exit ${install.status}):\n${install.stdout}\n${install.stderr}`)
  return { dir, bin: join(dir, 'node_modules', '.bin', 'tunewell'), tarball, packMs, installMs: performance.now() - started }
}

const KEPT_NPM_CONFIG = /^npm_config_(registry|cache|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl|cafile|prefer_offline|offline)$/i

function npm(args: readonly string[], cwd: string) {
  // Without the npm_* variables an enclosing `npm test` sets (its project's prefix, its script's
  // lifecycle), which npm would read as its own; the user's registry, cache and proxy stay.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || KEPT_NPM_CONFIG.test(key)))
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 })
}
