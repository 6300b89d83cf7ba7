// Trains the model with the flags a trial template passes and prints Katib-style metric lines
// (`loss=0.31 accuracy=0.88`) every epoch, for the default StdOut collector. `--epoch-ms=N`
// waits N ms per epoch: this model trains in milliseconds, a real one for minutes, and early
// stopping (examples/early-stopping-*.yaml) only shows when epochs take time.
import { setTimeout as sleep } from 'node:timers/promises'
import { parseFlags } from './args.ts'
import { makeMoons, split } from './dataset.ts'
import { train } from './model.ts'

const flags = parseFlags(process.argv.slice(2), { lr: 0.1, l2: 0.001, degree: 3, epochs: 40, 'epoch-ms': 0 })
const data = split(makeMoons(600, 0.25, 7), 2 / 3)
for (const r of train(data, { learningRate: flags.lr!, l2: flags.l2!, degree: flags.degree!, epochs: flags.epochs! })) {
  if (flags['epoch-ms']) await sleep(flags['epoch-ms'])
  console.log(`epoch ${r.epoch}: train-loss=${r.trainLoss.toFixed(5)} loss=${r.loss.toFixed(5)} accuracy=${r.accuracy.toFixed(4)}`)
}
