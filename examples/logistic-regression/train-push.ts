// Same training, reporting each epoch through the push path (collector kind Push):
// reportMetrics() posts to the URL Tunewell gives the trial in TUNEWELL_REPORT_URL.
import { reportMetrics } from '../../metrics-collector/report.ts'
import { parseFlags } from './args.ts'
import { makeMoons, split } from './dataset.ts'
import { train } from './model.ts'

const flags = parseFlags(process.argv.slice(2), { lr: 0.1, l2: 0.001, degree: 3, epochs: 40 })
const data = split(makeMoons(600, 0.25, 7), 2 / 3)
for (const r of train(data, { learningRate: flags.lr!, l2: flags.l2!, degree: flags.degree!, epochs: flags.epochs! })) {
  await reportMetrics({ loss: r.loss, accuracy: r.accuracy }, { step: r.epoch })
}
