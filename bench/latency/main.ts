/**
 * `npm run bench:latency`: SUITE.md's ask-latency protocol on our algorithms, next to Optuna's
 * anchor figures, with the targets checked. Writes latency.md and latency.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commandLine } from '../report/command-line.ts'
import { loadAnchor } from '../report/load-anchor.ts'
import { LATENCY_USAGE, parseLatencyArgs } from './parse-latency-args.ts'
import { renderLatencyMarkdown } from './render-latency-markdown.ts'
import { runLatency } from './run-latency.ts'

const argv = process.argv.slice(2)
try {
  const args = parseLatencyArgs(argv, relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')
  if (args.help) {
    process.stdout.write(LATENCY_USAGE)
    process.exit(0)
  }
  const anchor = loadAnchor()
  const report = await runLatency({
    ...args,
    anchor,
    command: commandLine('bench:latency', 'bench/latency/main.ts', argv),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  })
  mkdirSync(args.outDir, { recursive: true })
  writeFileSync(join(args.outDir, 'latency.json'), `${JSON.stringify(report, null, 1)}\n`)
  writeFileSync(join(args.outDir, 'latency.md'), renderLatencyMarkdown(report, anchor))
  process.stderr.write(`done in ${report.meta.runtime_s.toFixed(1)} s; wrote ${join(args.outDir, 'latency.md')} and latency.json\n`)
} catch (error) {
  process.stderr.write(`bench:latency: ${(error as Error).message}\n\n${LATENCY_USAGE}`)
  process.exit(1)
}
