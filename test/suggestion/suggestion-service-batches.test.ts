/** SuggestionService creates a large want in bounded batches, with the event loop free between them. */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Store } from '../../db/store.ts'
import { askAlgorithm, type AskRequest } from '../../suggestion/ask-algorithm.ts'
import { SuggestionService, TRIAL_BATCH } from '../../suggestion/suggestion-service.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'
import { openTestStore } from '../helpers/test-store.ts'

let store: Store
before(async () => {
  store = await openTestStore()
})
after(async () => {
  await store.destroy()
})

test('ensureTrials asks for and writes at most TRIAL_BATCH trials at a time, yielding between batches', async () => {
  const wanted = 2 * TRIAL_BATCH + 5
  const experiment = quadraticExperiment({ name: `sv-batches-${Date.now().toString(36)}`, max: 2_147_483_647, parallel: wanted })
  const record = await store.experiments.create({ name: experiment.metadata.name, spec: experiment, seed: 1 })
  const counts: number[] = []
  // Macrotasks that ran while ensureTrials was between two asks: the server could answer meanwhile.
  let turns = 0
  const turnsAtAsk: number[] = []
  const ticker = setInterval(() => turns++, 0)
  try {
    const service = new SuggestionService(store, async (request: AskRequest) => {
      counts.push(request.count)
      turnsAtAsk.push(turns)
      return askAlgorithm(request)
    })
    const result = await service.ensureTrials(record.id, wanted)
    assert.equal(result.created.length, wanted)
  } finally {
    clearInterval(ticker)
  }
  assert.deepEqual(counts, [TRIAL_BATCH, TRIAL_BATCH, 5])
  assert.equal((await store.trials.tally(record.id)).total, wanted)
  for (let i = 1; i < turnsAtAsk.length; i++) assert.ok(turnsAtAsk[i]! > turnsAtAsk[i - 1]!, 'the event loop ran between two batches')
  // Numbers stay dense across batches: no trial is created twice or skipped.
  const numbers = (await store.trials.list(record.id)).map((t) => t.number).sort((a, b) => a - b)
  assert.deepEqual(numbers, Array.from({ length: wanted }, (_, i) => i))
})
