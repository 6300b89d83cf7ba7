// A trial with two things to trade: the logistic-regression model of the quickstart
// (examples/logistic-regression/) trained with the flags a trial template passes, reporting its
// validation accuracy and loss each epoch and, once, how many weights it has (a higher polynomial
// degree fits the moons better but makes a larger model). Katib-style metric lines
// (`accuracy=0.88 loss=0.31`, then `model_params=10`) for the default StdOut collector.
import { parseFlags } from '../logistic-regression/args.ts'
import { makeMoons, split } from '../logistic-regression/dataset.ts'
import { train } from '../logistic-regression/model.ts'

const flags = parseFlags(process.argv.slice(2), { lr: 0.1, l2: 0.001, degree: 3, epochs: 40 })
const degree = flags.degree!
const data = split(makeMoons(600, 0.25, 7), 2 / 3)
for (const r of train(data, { learningRate: flags.lr!, l2: flags.l2!, degree, epochs: flags.epochs! })) {
  console.log(`epoch ${r.epoch}: loss=${r.loss.toFixed(5)} accuracy=${r.accuracy.toFixed(4)}`)
}
// One weight per polynomial feature of the two inputs (every x^i y^j with 1 <= i + j <= degree), plus the bias.
console.log(`model_params=${((degree + 1) * (degree + 2)) / 2}`)
