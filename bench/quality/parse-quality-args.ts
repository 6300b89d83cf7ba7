import os from 'node:os'
import { parseArgs } from 'node:util'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { parseAlgorithmSettings } from './parse-algorithm-settings.ts'
import { parseSeeds } from './parse-seeds.ts'
import { commaList, positiveInteger, positiveIntegerList } from '../report/parse-flags.ts'

export const QUALITY_USAGE = `Usage: npm run bench:quality -- [options]

  --problems FILE.mjs     module exporting \`problems\` (default: the 8 problems of hpo-anchor-v1)
  --algorithms a,b        registered algorithm names (default: all registered but grid)
  --seeds 0-19            seeds: numbers and ranges, e.g. 0-4,10 (default 0-19)
  --budget N              trials per run (default 200)
  --checkpoints a,b       trial counts to report (default 25,50,100,200 up to the budget, and the budget)
  --settings alg:k=v      an algorithm setting (Katib algorithmSettings); repeatable or comma-separated
  --workers N             worker threads; 0 = run in the main thread (default: CPU count)
  --run-timeout S         seconds before one run is stopped and reported as failed (default 3600)
  --out DIR               where quality.md and quality.json go (default bench/results)
`

export interface QualityArgs {
  readonly help: boolean
  readonly problemsModule?: string
  readonly algorithms?: string[]
  readonly seeds: number[]
  readonly budget: number
  readonly checkpoints?: number[]
  readonly settings: Record<string, RawSetting[]>
  readonly workers: number
  readonly timeoutSeconds: number
  readonly outDir: string
}

export function parseQualityArgs(argv: readonly string[], defaultOutDir: string): QualityArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      problems: { type: 'string' },
      algorithms: { type: 'string' },
      seeds: { type: 'string', default: '0-19' },
      budget: { type: 'string', default: '200' },
      checkpoints: { type: 'string' },
      settings: { type: 'string', multiple: true, default: [] },
      workers: { type: 'string', default: String(os.availableParallelism()) },
      'run-timeout': { type: 'string', default: '3600' },
      out: { type: 'string', default: defaultOutDir },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  return {
    help: values.help,
    ...(values.problems === undefined ? {} : { problemsModule: values.problems }),
    ...(values.algorithms === undefined ? {} : { algorithms: commaList(values.algorithms) }),
    seeds: parseSeeds(values.seeds),
    budget: positiveInteger('--budget', values.budget),
    ...(values.checkpoints === undefined ? {} : { checkpoints: positiveIntegerList('--checkpoints', values.checkpoints) }),
    settings: parseAlgorithmSettings(values.settings),
    workers: nonNegativeInteger('--workers', values.workers),
    timeoutSeconds: positiveInteger('--run-timeout', values['run-timeout']),
    outDir: values.out,
  }
}

function nonNegativeInteger(flag: string, text: string): number {
  return text.trim() === '0' ? 0 : positiveInteger(flag, text)
}
