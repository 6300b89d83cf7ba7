import os from 'node:os'
import { parseArgs } from 'node:util'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { parseAlgorithmSettings } from '../quality/parse-algorithm-settings.ts'
import { parseSeeds } from '../quality/parse-seeds.ts'
import { commaList, positiveInteger, positiveIntegerList } from '../report/parse-flags.ts'

export const NAS_USAGE = `Usage: npm run bench:nas -- [options]

  --algorithms a,b        registered NAS algorithms (default: random, evolution, and enas when registered)
  --seeds 0-19            seeds: numbers and ranges, e.g. 0-4,10 (default 0-19)
  --budgets 100,300       trial budgets to report; each run goes to the largest (default 100,300)
  --parallel N            trials in flight, as parallelTrialCount (default 4)
  --refill all|one        ask when all trials in flight are told (rounds) or after each (default all)
  --workers N             worker threads, one run each at a time; 0 = this thread (default: CPU count)
  --layers N              layers of the enas-cpu space, 1 to 8 (default 6)
  --settings alg:k=v      an algorithm setting (Katib algorithmSettings); repeatable or comma-separated
  --out DIR               where nas.md and nas.json go (default bench/results)
`

export interface NasArgs {
  readonly help: boolean
  readonly algorithms?: string[]
  readonly seeds: number[]
  readonly budgets: number[]
  readonly parallel: number
  readonly refill: 'all' | 'one'
  readonly workers: number
  readonly layers: number
  readonly settings: Record<string, RawSetting[]>
  readonly outDir: string
}

export function parseNasArgs(argv: readonly string[], defaultOutDir: string): NasArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      algorithms: { type: 'string' },
      seeds: { type: 'string', default: '0-19' },
      budgets: { type: 'string', default: '100,300' },
      parallel: { type: 'string', default: '4' },
      refill: { type: 'string', default: 'all' },
      workers: { type: 'string', default: String(os.availableParallelism()) },
      layers: { type: 'string', default: '6' },
      settings: { type: 'string', multiple: true, default: [] },
      out: { type: 'string', default: defaultOutDir },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const layers = positiveInteger('--layers', values.layers)
  // The surrogate's extremes enumerate 2^(layers-1) skip patterns per operation: 8 keeps that instant.
  if (layers > 8) throw new Error(`--layers must be at most 8, got ${layers}`)
  const budgets = [...new Set(positiveIntegerList('--budgets', values.budgets))].sort((a, b) => a - b)
  if (budgets.length === 0) throw new Error('--budgets: no budget given')
  if (values.refill !== 'all' && values.refill !== 'one') throw new Error(`--refill must be all or one, got "${values.refill}"`)
  if (!/^\d+$/.test(values.workers)) throw new Error(`--workers must be a whole number, got "${values.workers}"`)
  return {
    help: values.help,
    ...(values.algorithms === undefined ? {} : { algorithms: commaList(values.algorithms) }),
    seeds: parseSeeds(values.seeds),
    budgets,
    parallel: positiveInteger('--parallel', values.parallel),
    refill: values.refill,
    workers: Number(values.workers),
    layers,
    settings: parseAlgorithmSettings(values.settings),
    outDir: values.out,
  }
}
