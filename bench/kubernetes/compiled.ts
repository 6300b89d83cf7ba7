/**
 * `npm run bench:kubernetes`: compiles the benchmark (main.ts, the controller it drives and the
 * fake API server's process) to plain JavaScript in a temporary folder, then runs that. The
 * controller's RSS is a target, and a controller runs compiled wherever it is deployed (the
 * package's dist/, the container image): under tsx the same process holds about 120 MB more
 * (the loader, its transformed sources and their source maps; measured with the bench's "before
 * the first runner" figure, 282 MB under tsx against 157 MB compiled). `--tsx` runs main.ts from
 * the sources instead, as `node --import tsx bench/kubernetes/main.ts` does. Other arguments go
 * to main.ts.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = fileURLToPath(new URL('../../', import.meta.url))
// The controller runs with the Node options the deployment gives it (deploy/base/deployment.yaml:
// its heap ceiling), then `--node-flags="--cpu-prof --trace-gc"`: flags for the measured process
// only (not for tsc), later ones winning.
const nodeFlags = [
  ...deployedNodeOptions(),
  ...process.argv.slice(2).filter((a) => a.startsWith('--node-flags=')).flatMap((a) => a.slice('--node-flags='.length).split(/\s+/).filter(Boolean)),
]
const args = process.argv.slice(2).filter((a) => !a.startsWith('--node-flags='))

if (args.includes('--tsx')) {
  const rest = args.filter((a) => a !== '--tsx')
  process.exit(spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', join(root, 'bench/kubernetes/main.ts'), ...rest], { stdio: 'inherit', cwd: root }).status ?? 1)
}

const work = mkdtempSync(join(tmpdir(), 'tunewell-bench-kubernetes-build-'))
try {
  const out = join(work, 'out')
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
    extends: join(root, 'tsconfig.json'),
    compilerOptions: {
      noEmit: false, outDir: out, rootDir: root, rewriteRelativeImportExtensions: true,
      typeRoots: [join(root, 'node_modules', '@types')],
    },
    include: [join(root, 'bench/kubernetes/main.ts'), join(root, 'test/helpers/fake-kube/serve.ts')],
  }))
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const built = spawnSync(process.execPath, [tsc, '-p', join(work, 'tsconfig.json')], { stdio: 'inherit' })
  if (built.status !== 0) {
    process.stderr.write('bench:kubernetes: compiling the benchmark failed (tsc reported the errors above)\n')
    process.exit(built.status ?? 1)
  }
  // The compiled files import the repository's packages, and are ES modules.
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir')
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }))
  // From the repository's root: main.js's default --out, bench/results, is relative to it.
  const ran = spawnSync(process.execPath, [...nodeFlags, join(out, 'bench/kubernetes/main.js'), ...args], { stdio: 'inherit', cwd: root })
  process.exitCode = ran.status ?? 1
} finally {
  rmSync(work, { recursive: true, force: true })
}

/** NODE_OPTIONS of the server's container in deploy/base/deployment.yaml, split into flags. */
function deployedNodeOptions(): string[] {
  const deployment = parse(readFileSync(join(root, 'deploy/base/deployment.yaml'), 'utf8')) as {
    spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } }
  }
  const env = deployment.spec.template.spec.containers.find((c) => c.name === 'tunewell')?.env ?? []
  return (env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '').split(/\s+/).filter(Boolean)
}
