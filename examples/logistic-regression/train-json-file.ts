// Same training, but metrics go to a JSON-lines file (Katib's File collector, format JSON):
// TUNEWELL_METRICS_FILE names the file the experiment's metricsCollectorSpec points at.
import { appendFileSync } from 'node:fs'
import { parseFlags } from './args.ts'
import { makeMoons, split } from './dataset.ts'
import { train } from './model.ts'

const file = process.env.TUNEWELL_METRICS_FILE ?? 'metrics.json'
const flags = parseFlags(process.argv.slice(2), { lr: 0.1, l2: 0.001, degree: 3, epochs: 40 })
const data = split(makeMoons(600, 0.25, 7), 2 / 3)
for (const r of train(data, { learningRate: flags.lr!, l2: flags.l2!, degree: flags.degree!, epochs: flags.epochs! })) {
  appendFileSync(file, JSON.stringify({ epoch: r.epoch, loss: r.loss, accuracy: r.accuracy, timestamp: Date.now() / 1000 }) + '\n')
}
console.log(`wrote ${flags.epochs} epochs of metrics to ${file}`)
