import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { EventHub } from '../../api/events/event-hub.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { opaqueSpec } from '../helpers/opaque-spec.ts'

// A deletion's tombstone takes an id of the events' sequence (migrations/0003-kube-tombstones.ts):
// the SSE hub, which waits on gaps in ids, must not take it for an event still to commit.
test('the live event stream does not wait on the id of a deletion', async () => {
  const store = await openTestStore()
  const hub = new EventHub({ store, pollMs: 20, gapGraceMs: 3_600_000 })
  try {
    const gone = await store.experiments.create({ name: 'hub-gone', spec: opaqueSpec({}), seed: 1 })
    const kept = await store.experiments.create({ name: 'hub-kept', spec: opaqueSpec({}), seed: 1 })
    let text = ''
    const unsubscribe = await hub.subscribe({ write: (chunk) => ((text += chunk), true), end: () => {} })
    await store.experiments.delete(gone.id)
    await store.events.append({ experimentId: kept.id, type: 'experiment:new-best', payload: { objective: 1 } })
    const end = Date.now() + 10_000
    while (!text.includes('experiment:new-best') && Date.now() < end) await sleep(20)
    assert.match(text, /experiment:new-best/, 'the event after the deletion came at once, not after the gap grace (an hour here)')
    unsubscribe()
  } finally {
    await hub.close()
    await store.destroy()
  }
})
