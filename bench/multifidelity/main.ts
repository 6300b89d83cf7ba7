/**
 * `npm run bench:multifidelity`: hpo-anchor-v1's lcbench_like protocol on our multi-fidelity
 * configurations. Writes multifidelity.md (the anchor's lcbench table with Optuna's rows and the
 * issue's targets) and multifidelity.json (the anchor's `multi_fidelity` shape). Progress: stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commandLine } from '../report/command-line.ts'
import { loadMultiFidelityAnchor } from './load-multifidelity-anchor.ts'
import { MULTIFIDELITY_USAGE, parseMultiFidelityArgs } from './parse-multifidelity-args.ts'
import { renderMultiFidelityMarkdown } from './render-multifidelity-markdown.ts'
import { runMultiFidelity } from './run-multifidelity.ts'

const argv = process.argv.slice(2)
try {
  const args = parseMultiFidelityArgs(argv, relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')
  if (args.help) {
    process.stdout.write(MULTIFIDELITY_USAGE)
    process.exit(0)
  }
  const report = await runMultiFidelity({
    ...args,
    command: commandLine('bench:multifidelity', 'bench/multifidelity/main.ts', argv),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  })
  mkdirSync(args.outDir, { recursive: true })
  writeFileSync(join(args.outDir, 'multifidelity.json'), `${JSON.stringify(report, null, 1)}\n`)
  writeFileSync(join(args.outDir, 'multifidelity.md'), renderMultiFidelityMarkdown(report, loadMultiFidelityAnchor()))
  process.stderr.write(`done in ${report.meta.runtime_s.toFixed(1)} s; wrote ${join(args.outDir, 'multifidelity.md')} and multifidelity.json\n`)
} catch (error) {
  process.stderr.write(`bench:multifidelity: ${(error as Error).message}\n\n${MULTIFIDELITY_USAGE}`)
  process.exit(1)
}
