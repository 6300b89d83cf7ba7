/**
 * An ask/tell worker: minimises (x - 1)² + (y + 0.5)² by "training" for a few steps, reporting
 * the loss at every step and stopping early when the server says so.
 *
 *   npx tunewell serve &
 *   curl -X POST http://127.0.0.1:8080/api/v1/experiments -H 'content-type: application/yaml' \
 *     --data-binary @examples/ask-tell/experiment.yaml
 *   node --import tsx examples/ask-tell/worker.ts            # run several at once to go faster
 *
 * TUNEWELL_SERVER and TUNEWELL_TOKEN select the server; the experiment name is the argument.
 */
import { TrialWorker } from '../../api/client/trial-worker.ts'

const server = process.env.TUNEWELL_SERVER ?? 'http://127.0.0.1:8080'
const token = process.env.TUNEWELL_TOKEN
const experiment = process.argv[2] ?? 'ask-tell-demo'
const worker = new TrialWorker({ server, ...(token ? { token } : {}) }, experiment, { worker: `example pid ${process.pid}` })

const STEPS = 10
let trial
while ((trial = await worker.next())) {
  const x = trial.params.x as number
  const y = trial.params.y as number
  const target = (x - 1) ** 2 + (y + 0.5) ** 2
  try {
    let loss = Number.NaN
    for (let step = 0; step < STEPS; step++) {
      // The "training": the loss decays towards the target as steps go by.
      loss = target + 2 ** -step
      await new Promise((resolve) => setTimeout(resolve, 50))
      const { shouldStop, reason } = await trial.report([{ metric: 'loss', step, value: loss }])
      if (shouldStop) {
        console.log(`${trial.name}: stopping (${reason})`)
        break
      }
    }
    if (!trial.shouldStop) {
      await trial.tell(loss)
      console.log(`${trial.name}: x=${x.toFixed(3)} y=${y.toFixed(3)} loss=${loss.toFixed(5)}`)
    }
  } catch (error) {
    // A crash in the trial program: say so, so the experiment counts it as Failed.
    await trial.fail(error instanceof Error ? error.message : String(error))
  }
}
console.log(`experiment ${experiment} is completed`)
