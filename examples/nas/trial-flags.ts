import { NasArgumentError } from './katib-nas-args.ts'

/**
 * The trial's flags, read as Python's argparse reads Katib's RunTrial.py flags: `--name=value`
 * or `--name value`; an unknown or repeated-without-value flag is an error.
 */
export interface TrialFlags {
  readonly architecture: string
  readonly nnConfig: string
  readonly numEpochs: number
  readonly batchSize: number
  readonly learningRate: number
  readonly seed: number
}

const NUMBERS = {
  num_epochs: { default: 8, integer: true, min: 1, rule: 'an integer of at least 1' },
  batch_size: { default: 32, integer: true, min: 1, rule: 'an integer of at least 1' },
  learning_rate: { default: 0.003, integer: false, min: Number.MIN_VALUE, rule: 'a number above 0' },
  seed: { default: 1, integer: true, min: 0, rule: 'an integer of at least 0' },
} as const
type NumberFlag = keyof typeof NUMBERS
const STRINGS = ['architecture', 'nn_config'] as const
const USAGE = `usage: train.ts --architecture=ARCH --nn_config=CONFIG [${Object.keys(NUMBERS).map((n) => `--${n}=N`).join('] [')}]`

export function parseTrialFlags(argv: readonly string[]): TrialFlags {
  const values = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([\w-]+)(?:=([\s\S]*))?$/.exec(argv[i]!)
    const name = match?.[1]
    if (!match || !name || !(name in NUMBERS || (STRINGS as readonly string[]).includes(name))) {
      throw new NasArgumentError(`unrecognized argument ${JSON.stringify(argv[i])}\n${USAGE}`)
    }
    let value = match[2]
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new NasArgumentError(`--${name} expects a value\n${USAGE}`)
      value = argv[++i]!
    }
    values.set(name, value)
  }
  const text = (name: (typeof STRINGS)[number]) => {
    const value = values.get(name)
    if (value === undefined || value.trim() === '') throw new NasArgumentError(`--${name} is required (Katib passes it from the trial parameter whose reference is ${name})\n${USAGE}`)
    return value
  }
  const number = (name: NumberFlag) => {
    const spec = NUMBERS[name]
    const raw = values.get(name)
    if (raw === undefined) return spec.default
    const value = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(value) || value < spec.min || (spec.integer && !Number.isInteger(value))) {
      throw new NasArgumentError(`--${name} must be ${spec.rule}; got ${JSON.stringify(raw)}`)
    }
    return value
  }
  return {
    architecture: text('architecture'),
    nnConfig: text('nn_config'),
    numEpochs: number('num_epochs'),
    batchSize: number('batch_size'),
    learningRate: number('learning_rate'),
    seed: number('seed'),
  }
}
