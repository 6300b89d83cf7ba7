import { parseArgs } from 'node:util'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { parseAlgorithmSettings } from '../quality/parse-algorithm-settings.ts'
import { parseSeeds } from '../quality/parse-seeds.ts'
import { commaList, positiveInteger, positiveIntegerList } from '../report/parse-flags.ts'

export const MULTIOBJECTIVE_USAGE = `Usage: npm run bench:multiobjective -- [options]

  --problems FILE.mjs     module exporting \`problems\` (bench/multiobjective/multiobjective-problem.ts;
                          default: zdt1, zdt2, dtlz2 and the constrained czdt1)
  --algorithms a,b        registered algorithm names (default: those accepting several objectives, but grid)
  --seeds 0-9             seeds: numbers and ranges (default 0-9)
  --budget N              trials per run (default 200)
  --checkpoints a,b       trial counts to report (default 50,100,200 up to the budget, and the budget)
  --settings alg:k=v      an algorithm setting (Katib algorithmSettings); repeatable or comma-separated
  --workers N             worker threads; 0 = run in the main thread (default 2)
  --latency-trials N      history length of the ask-latency measurement; 0 skips it (default 1000)
  --out DIR               where multiobjective.md and multiobjective.json go (default bench/results)
`

export interface MultiObjectiveArgs {
  readonly help: boolean
  readonly problemsModule?: string
  readonly algorithms?: string[]
  readonly seeds: number[]
  readonly budget: number
  readonly checkpoints?: number[]
  readonly settings: Record<string, RawSetting[]>
  readonly workers: number
  readonly latencyTrials: number
  readonly outDir: string
}

export function parseMultiObjectiveArgs(argv: readonly string[], defaultOutDir: string): MultiObjectiveArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      problems: { type: 'string' },
      algorithms: { type: 'string' },
      seeds: { type: 'string', default: '0-9' },
      budget: { type: 'string', default: '200' },
      checkpoints: { type: 'string' },
      settings: { type: 'string', multiple: true, default: [] },
      workers: { type: 'string', default: '2' },
      'latency-trials': { type: 'string', default: '1000' },
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
    workers: values.workers.trim() === '0' ? 0 : positiveInteger('--workers', values.workers),
    latencyTrials: values['latency-trials'].trim() === '0' ? 0 : positiveInteger('--latency-trials', values['latency-trials']),
    outDir: values.out,
  }
}
