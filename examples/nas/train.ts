// A NAS trial as Katib's ENAS trial programs are: it receives `--architecture` and `--nn_config`
// in Katib's formats (katib-nas-args.ts), builds that network of dense layers (dense-network.ts),
// trains it on the handwritten digits (digits.ts) and prints Katib's metric lines every epoch
// (`Validation-Accuracy=0.9583`) for the StdOut collector. Bad input exits 2 with a message
// that says which flag, where in its value, and what was expected; nothing is trained.
import { Matrix } from 'ml-matrix'
import { DenseNetwork, denseLayers, type DenseLayer } from './dense-network.ts'
import { DIGIT_CLASSES, DIGIT_PIXELS, loadDigits, splitDigits } from './digits.ts'
import { NasArgumentError, checkArchitectureAgainstConfig, parseArchitecture, parseNnConfig } from './katib-nas-args.ts'
import { seededRandom } from './seeded-random.ts'
import { parseTrialFlags } from './trial-flags.ts'

function setUp() {
  const flags = parseTrialFlags(process.argv.slice(2))
  const architecture = parseArchitecture(flags.architecture)
  const config = parseNnConfig(flags.nnConfig)
  checkArchitectureAgainstConfig(architecture, config)
  const inputWidth = config.inputSizes.reduce((a, b) => a * b, 1)
  if (inputWidth !== DIGIT_PIXELS) {
    throw new NasArgumentError(`--nn_config .input_sizes: the digits are 8x8 images, ${DIGIT_PIXELS} inputs ([64] or [8, 8]); got ${JSON.stringify(config.inputSizes)}`)
  }
  if (config.outputSizes.at(-1) !== DIGIT_CLASSES) {
    throw new NasArgumentError(`--nn_config .output_sizes: the digits have ${DIGIT_CLASSES} classes, so the last output size must be ${DIGIT_CLASSES}; got ${JSON.stringify(config.outputSizes)}`)
  }
  return { flags, layers: denseLayers(architecture, config) }
}

function describe(layers: readonly DenseLayer[]): string {
  const name = (source: number) => (source === 0 ? 'image' : `layer ${source - 1}`)
  return layers.map((l, k) => `  layer ${k}: dense ${l.units} ${l.activation} <- ${l.sources.map(name).join(' + ')}`).join('\n')
}

let setup: ReturnType<typeof setUp>
try {
  setup = setUp()
} catch (error) {
  if (!(error instanceof NasArgumentError)) throw error
  console.error(`train.ts: error: ${error.message}`)
  process.exit(2)
}
const { flags, layers } = setup
const random = seededRandom(flags.seed)
const data = splitDigits(loadDigits())
const network = new DenseNetwork(layers, DIGIT_PIXELS, DIGIT_CLASSES, random, flags.learningRate)
console.log(`>>> network (${network.parameterCount} parameters), softmax over ${DIGIT_CLASSES} digits after the last layer:\n${describe(layers)}`)
console.log(`>>> ${data.train.y.length} training and ${data.validation.y.length} validation images, ${flags.numEpochs} epochs, batch ${flags.batchSize}, Adam ${flags.learningRate}`)

const validationX = new Matrix(data.validation.x)
const order = data.train.y.map((_, i) => i)
for (let epoch = 1; epoch <= flags.numEpochs; epoch++) {
  random.shuffle(order)
  let loss = 0
  let correct = 0
  for (let start = 0; start < order.length; start += flags.batchSize) {
    const batch = order.slice(start, start + flags.batchSize)
    const result = network.trainBatch(new Matrix(batch.map((i) => data.train.x[i]!)), batch.map((i) => data.train.y[i]!))
    loss += result.loss * batch.length
    correct += result.correct
  }
  const validation = network.evaluate(validationX, data.validation.y)
  console.log(`\nEpoch ${epoch}/${flags.numEpochs}`)
  console.log(`Training-Accuracy=${(correct / order.length).toFixed(4)}`)
  console.log(`Training-Loss=${(loss / order.length).toFixed(4)}`)
  console.log(`Validation-Accuracy=${(validation.correct / data.validation.y.length).toFixed(4)}`)
  console.log(`Validation-Loss=${validation.loss.toFixed(4)}`)
}
