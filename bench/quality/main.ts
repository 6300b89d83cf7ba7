/**
 * `npm run bench:quality`: the hpo-anchor-v1 optimiser quality benchmark on our algorithms.
 * Writes quality.md (anchor-optuna.md's layout, with Optuna's numbers alongside) and
 * quality.json (anchor-optuna-results.json's shape). Progress goes to stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadProblems } from '../problems/load-problems.ts'
import { commandLine } from '../report/command-line.ts'
import { loadAnchor, loadSuite } from '../report/load-anchor.ts'
import { parseQualityArgs, QUALITY_USAGE } from './parse-quality-args.ts'
import { renderQualityMarkdown } from './render-quality-markdown.ts'
import { runQuality } from './run-quality.ts'

const argv = process.argv.slice(2)
try {
  const args = parseQualityArgs(argv, relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')
  if (args.help) {
    process.stdout.write(QUALITY_USAGE)
    process.exit(0)
  }
  const report = await runQuality({
    ...args,
    command: commandLine('bench:quality', 'bench/quality/main.ts', argv),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  })
  const problems = await loadProblems(args.problemsModule)
  mkdirSync(args.outDir, { recursive: true })
  writeFileSync(join(args.outDir, 'quality.json'), `${JSON.stringify(report, null, 1)}\n`)
  writeFileSync(join(args.outDir, 'quality.md'), renderQualityMarkdown({ report, problems, anchor: loadAnchor(), suite: loadSuite() }))
  const failed = Object.values(report.single_fidelity).flatMap((cells) => Object.values(cells)).reduce((n, c) => n + c.errors.length, 0)
  process.stderr.write(`done in ${report.meta.runtime_s.toFixed(1)} s${failed > 0 ? `, ${failed} failed run(s) (see the report)` : ''}; wrote ${join(args.outDir, 'quality.md')} and quality.json\n`)
} catch (error) {
  process.stderr.write(`bench:quality: ${(error as Error).message}\n\n${QUALITY_USAGE}`)
  process.exit(1)
}
