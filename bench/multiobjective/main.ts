/**
 * `npm run bench:multiobjective`: hypervolume regret of the algorithms that accept several
 * objectives on ZDT1, ZDT2, DTLZ2 (the Optuna anchor's problems) and a constrained ZDT1, plus
 * the ask latency at 1,000 trials. Writes multiobjective.md (with Optuna's quoted numbers) and
 * multiobjective.json (`multi_objective[problem][algorithm].hv_regret[checkpoint]`).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commandLine } from '../report/command-line.ts'
import { MULTIOBJECTIVE_USAGE, parseMultiObjectiveArgs } from './parse-multiobjective-args.ts'
import { renderMultiObjectiveMarkdown } from './render-multiobjective-markdown.ts'
import { runMultiObjective } from './run-multiobjective.ts'

const argv = process.argv.slice(2)
try {
  const args = parseMultiObjectiveArgs(argv, relative(process.cwd(), fileURLToPath(new URL('../results/', import.meta.url))) || '.')
  if (args.help) {
    process.stdout.write(MULTIOBJECTIVE_USAGE)
    process.exit(0)
  }
  const report = await runMultiObjective({
    ...args,
    command: commandLine('bench:multiobjective', 'bench/multiobjective/main.ts', argv),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  })
  mkdirSync(args.outDir, { recursive: true })
  writeFileSync(join(args.outDir, 'multiobjective.json'), `${JSON.stringify(report, null, 1)}\n`)
  writeFileSync(join(args.outDir, 'multiobjective.md'), renderMultiObjectiveMarkdown(report))
  const failed = Object.values(report.multi_objective).flatMap((row) => Object.values(row)).reduce((n, c) => n + c.errors.length, 0)
  process.stderr.write(`done in ${report.meta.runtime_s.toFixed(1)} s${failed > 0 ? `, ${failed} failed run(s) (see the report)` : ''}; wrote ${join(args.outDir, 'multiobjective.md')} and multiobjective.json\n`)
} catch (error) {
  process.stderr.write(`bench:multiobjective: ${(error as Error).message}\n\n${MULTIOBJECTIVE_USAGE}`)
  process.exit(1)
}
