import { parseArgs } from 'node:util'
import { parseSeeds } from '../quality/parse-seeds.ts'
import { commaList, positiveInteger, positiveIntegerList } from '../report/parse-flags.ts'

export const MULTIFIDELITY_USAGE = `Usage: npm run bench:multifidelity -- [options]

  --configs a,b       configurations to run (default: all): random, tpe, tpe+medianstop, tpe+asha, hyperband, hyperband+tpe
  --seeds 0-19        seeds: numbers and ranges (default 0-19)
  --budget N          epochs per run (default 4050, SUITE.md's)
  --checkpoints a,b   epoch counts to report (default 405,810,2025,4050 up to the budget, and the budget)
  --out DIR           where multifidelity.md and multifidelity.json go (default bench/results)
`

export interface MultiFidelityArgs {
  readonly help: boolean
  readonly configs?: string[]
  readonly seeds: number[]
  readonly budget: number
  readonly checkpoints?: number[]
  readonly outDir: string
}

export function parseMultiFidelityArgs(argv: readonly string[], defaultOutDir: string): MultiFidelityArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      configs: { type: 'string' },
      seeds: { type: 'string', default: '0-19' },
      budget: { type: 'string', default: '4050' },
      checkpoints: { type: 'string' },
      out: { type: 'string', default: defaultOutDir },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  return {
    help: values.help,
    ...(values.configs === undefined ? {} : { configs: commaList(values.configs) }),
    seeds: parseSeeds(values.seeds),
    budget: positiveInteger('--budget', values.budget),
    ...(values.checkpoints === undefined ? {} : { checkpoints: positiveIntegerList('--checkpoints', values.checkpoints) }),
    outDir: values.out,
  }
}
