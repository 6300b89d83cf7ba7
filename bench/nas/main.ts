/**
 * `npm run bench:nas`: random, evolution and enas (when registered) on a deterministic
 * surrogate of an enas-cpu-like space (surrogate-accuracy.ts), 20 seeds at 100 and 300 trials,
 * 4 in parallel. Writes nas.md and nas.json; progress goes to stderr. docs/benchmarks.md, "NAS".
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commandLine } from '../report/command-line.ts'
import { NAS_USAGE, parseNasArgs } from './parse-nas-args.ts'
import { nasTargets } from './nas-targets.ts'
import { renderNasMarkdown } from './render-nas-markdown.ts'
import { runNas } from './run-nas.ts'

const argv = process.argv.slice(2)
try {
  const args = parseNasArgs(argv, relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')
  if (args.help) {
    process.stdout.write(NAS_USAGE)
    process.exit(0)
  }
  const report = await runNas({
    ...args,
    command: commandLine('bench:nas', 'bench/nas/main.ts', argv),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  })
  mkdirSync(args.outDir, { recursive: true })
  writeFileSync(join(args.outDir, 'nas.json'), `${JSON.stringify(report, null, 1)}\n`)
  const markdown = renderNasMarkdown(report)
  writeFileSync(join(args.outDir, 'nas.md'), markdown)
  process.stdout.write(markdown)
  const failed = nasTargets(report).filter((t) => !t.pass).length
  process.stderr.write(`done in ${report.meta.runtime_s.toFixed(1)} s${failed > 0 ? `, ${failed} target(s) not met` : ''}; wrote ${join(args.outDir, 'nas.md')} and nas.json\n`)
} catch (error) {
  process.stderr.write(`bench:nas: ${(error as Error).message}\n\n${NAS_USAGE}`)
  process.exit(1)
}
