import { parseArgs } from 'node:util'

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
  const scenarios = values.scenarios.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const s of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--scenarios: unknown scenario "${s}"; choose from ${SCENARIOS.join(', ')}`)
  }
  return {
    help: values.help,
    scenarios: scenarios as ScenarioName[],
    durationS: positive('--duration', values.duration),
    connections: positive('--connections', values.connections),
    trials: positive('--trials', values.trials),
    history: positive('--history', values.history),
    batch: positive('--batch', values.batch),
    outDir: values.out,
  }
}

function positive(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${text}"`)
  return n
}
