import { parseArgs } from 'node:util'
import type { RawSetting } from '../../algorithms/parse-settings.ts'
import { parseAlgorithmSettings } from '../quality/parse-algorithm-settings.ts'
import { commaList, positiveInteger } from '../report/parse-flags.ts'

export const LATENCY_USAGE = `Usage: npm run bench:latency -- [options]

  --algorithms a,b    algorithms to time (default: tpe, multivariate-tpe, bayesianoptimization, random;
                      those not registered yet are skipped with a note)
  --n a,b             history sizes for every algorithm (default: 100,1000,5000 for the TPEs,
                      50,200,500 for bayesianoptimization, 1000 for the others)
  --reps N            timed asks per algorithm and N, after 3 warm-ups (default 40; SUITE.md asks >= 30)
  --settings alg:k=v  an algorithm setting (Katib algorithmSettings); repeatable or comma-separated
  --out DIR           where latency.md and latency.json go (default bench/results)
`

export interface LatencyArgs {
  readonly help: boolean
  readonly algorithms?: string[]
  readonly n?: number[]
  readonly reps: number
  readonly settings: Record<string, RawSetting[]>
  readonly outDir: string
}

export function parseLatencyArgs(argv: readonly string[], defaultOutDir: string): LatencyArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      algorithms: { type: 'string' },
      n: { type: 'string' },
      reps: { type: 'string', default: '40' },
      settings: { type: 'string', multiple: true, default: [] },
      out: { type: 'string', default: defaultOutDir },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const list = commaList
  return {
    help: values.help,
    ...(values.algorithms === undefined ? {} : { algorithms: list(values.algorithms) }),
    ...(values.n === undefined ? {} : { n: list(values.n).map((n) => positiveInteger('--n', n)) }),
    reps: positiveInteger('--reps', values.reps),
    settings: parseAlgorithmSettings(values.settings),
    outDir: values.out,
  }
}
