/**
 * `tunewell export NAME` without a server reads the local database through the API built in
 * the CLI's process (cli/local-client.ts). It streams as the server's route does: rows are read
 * from the database page by page while they are written out, never the whole export in memory
 * first. Shown without timing: on 10,000 trials, a trial of the last page killed after the first
 * chunk arrived is exported Killed (an export built before its first chunk would say Pending),
 * and the first chunk is a small part of the whole.
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLocalClient } from '../../cli/local-client.ts'
import { DEFAULT_SERVER } from '../../cli/server-options.ts'
import { openStore, resolveStoreOptions } from '../../db/open-store.ts'
import { checkExperimentYaml } from '../../suggestion/check-experiment.ts'
import { parseCsv } from '../helpers/parse-csv.ts'
import { experimentYaml, uniqueName } from '../helpers/test-app.ts'
import { withCliStore } from '../helpers/cli-store.ts'

const TRIALS = 10_000
const home = mkdtempSync(join(tmpdir(), 'tunewell-export-local-'))
const name = uniqueName('export-stream')
// The CLI's own environment, less a server: the local database (or DATABASE_URL) is read.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'TUNEWELL_SERVER' && key !== 'TUNEWELL_TOKEN'))

// A PGlite database is the temporary folder's; a shared PostgreSQL keeps nothing of this test.
after(async () => {
  if (!process.env.DATABASE_URL) return
  await withCliStore(home, async (store) => {
    const record = await store.experiments.getByName(name)
    if (record) await store.experiments.delete(record.id)
  })
})

async function serverAtDefault(): Promise<boolean> {
  try {
    await fetch(`${DEFAULT_SERVER}/healthz`, { signal: AbortSignal.timeout(1000) })
    return true
  } catch {
    return false
  }
}

test(`export from the local database streams: ${TRIALS} trials read page by page as they are written`, { timeout: 110_000 }, async (t) => {
  if (await serverAtDefault()) return t.skip(`a server answers at ${DEFAULT_SERVER}, so the local database is not read`)
  const checked = checkExperimentYaml(experimentYaml(name, { template: false, max: TRIALS }), 'export.yaml')
  assert.ok(checked.experiment, checked.issues.map((i) => i.message).join('\n'))
  // A note of a few hundred bytes per trial, so that the export is megabytes and its first chunk a small part of it.
  const note = 'n'.repeat(300)
  await withCliStore(home, async (store) => {
    const record = await store.experiments.create({ name, spec: checked.experiment!, seed: 1 })
    for (let from = 0; from < TRIALS; from += 2000) {
      await store.trials.createMany(record.id, Array.from({ length: 2000 }, (_, i) => ({
        name: `${name}-${from + i}`, params: { lr: 0.01 + (from + i) / TRIALS / 20, optimizer: 'sgd', note },
      })))
    }
  })
  const { client, close } = await openLocalClient({ home }, env)
  try {
    const chunks = client.exportTrials(name, 'csv')[Symbol.asyncIterator]()
    const first = await chunks.next()
    assert.equal(first.done, false)
    // The last trial is on the last page: killed now, it is exported Killed only if that page is read after this.
    const last = `${name}-${TRIALS - 1}`
    assert.equal((await client.killTrial(name, last)).state, 'Killed')
    const received: Uint8Array[] = [first.value!]
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) received.push(next.value)
    const total = received.reduce((sum, c) => sum + c.byteLength, 0)
    assert.ok(received.length > 10 && first.value!.byteLength < total / 10, `${received.length} chunks, the first ${first.value!.byteLength} of ${total} bytes`)

    const rows = parseCsv(Buffer.concat(received).toString('utf8'))
    const header = rows[0]!
    const state = header.indexOf('state')
    const trialName = header.indexOf('name')
    assert.equal(rows.length, TRIALS + 1)
    assert.equal(rows[1]![trialName], `${name}-0`)
    assert.equal(rows[1]![state], 'Pending')
    assert.equal(rows[TRIALS]![trialName], last)
    assert.equal(rows[TRIALS]![state], 'Killed', 'the last page was read after the first chunk had been received')
  } finally {
    await close()
  }
})
