import { parseArgs } from 'node:util'
import { commaList, positiveInteger } from '../report/parse-flags.ts'

export const SCENARIOS = ['trial-list', 'ingest', 'ask-tell'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

export const API_USAGE = `Usage: DATABASE_URL=postgres://... npm run bench:api -- [options]

  --scenarios a,b     ${SCENARIOS.join(', ')} (default: all)
  --duration S        seconds each load phase runs (default 10)
  --connections N     concurrent clients (default 32)
  --trials N          trials in the trial-list experiment (default 100000)
  --history N         finished trials before the ask-tell run (default 10000)
  --batch N           points per ingest request (default 1000)
  --out DIR           where api.md and api.json go (default bench/results)

  BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR" passes Node flags to the server process
  alone, e.g. to profile it under load.
`

export interface ApiArgs {
  readonly help: boolean
  readonly scenarios: readonly ScenarioName[]
  readonly durationS: number
  readonly connections: number
  readonly trials: number
  readonly history: number
  readonly batch: number
  readonly outDir: string
}

export function parseApiArgs(argv: readonly string[], defaultOutDir: string): ApiArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scenarios: { type: 'string', default: SCENARIOS.join(',') },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      trials: { type: 'string', default: '100000' },
      history: { type: 'string', default: '10000' },
      batch: { type: 'string', default: '1000' },
      out: { type: 'string', default: defaultOutDir },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const scenarios = commaList(values.scenarios)
  for (const s of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--scenarios: unknown scenario "${s}"; choose from ${SCENARIOS.join(', ')}`)
  }
  return {
    help: values.help,
    scenarios: scenarios as ScenarioName[],
    durationS: positiveInteger('--duration', values.duration),
    connections: positiveInteger('--connections', values.connections),
    trials: positiveInteger('--trials', values.trials),
    history: positiveInteger('--history', values.history),
    batch: positiveInteger('--batch', values.batch),
    outDir: values.out,
  }
}
