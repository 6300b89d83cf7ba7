import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../api/app.ts'
import { kubeWatchHub } from '../../api/kube/watch/kube-watch-hubs.ts'
import type { Store } from '../../db/store.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { experimentYaml, uniqueName } from '../helpers/test-app.ts'
import { openWatch, type WatchEvent } from '../helpers/kube-watch-client.ts'

const API = '/apis/kubeflow.org/v1beta1'
const rv = (event: WatchEvent) => Number(event.object.metadata.resourceVersion)

// Watches over real HTTP against the whole app (the REST API and the Kubernetes API on one
// store): experiments are created, changed and deleted through the REST API, as another client
// of the same server would, and seen through the Kubernetes API's watch.
describe('Kubernetes watches (?watch=1)', () => {
  let store: Store
  let app: FastifyInstance
  let url: string

  before(async () => {
    store = await openTestStore()
    // Short intervals for the test; the first use of the store's hub sets them.
    kubeWatchHub(store, { pollMs: 40, bookmarkMs: 300, gapGraceMs: 2000 })
    app = await buildApp({ store })
    url = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  after(async () => {
    await app?.close()
    await store?.destroy()
  })

  const create = async (name: string, options: { namespace?: string; labels?: Record<string, string>; annotation?: string } = {}) => {
    let yaml = experimentYaml(name, options.labels ? { labels: options.labels } : {})
    if (options.namespace) yaml = yaml.replace('metadata:\n', `metadata:\n  namespace: ${options.namespace}\n`)
    if (options.annotation) yaml = yaml.replace('metadata:\n', `metadata:\n  annotations:\n    note: "${options.annotation}"\n`)
    const res = await fetch(`${url}/api/v1/experiments`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml })
    assert.equal(res.status, 201, await res.text())
  }
  const patchMax = async (name: string, maxTrialCount: number) => {
    const res = await fetch(`${url}/api/v1/experiments/${name}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { maxTrialCount } }) })
    assert.equal(res.status, 200, await res.text())
  }
  const remove = async (name: string) => {
    const res = await fetch(`${url}/api/v1/experiments/${name}`, { method: 'DELETE' })
    assert.equal(res.status, 204, await res.text())
  }
  const listVersion = async (path = `${API}/experiments`) => {
    const res = await fetch(`${url}${path}`)
    assert.equal(res.status, 200)
    return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion
  }
  const named = (name: string, type?: string) => (e: WatchEvent) => e.object?.metadata?.name === name && (type === undefined || e.type === type)

  test('without a resourceVersion: ADDED for what exists, then each change live, and DELETED with the last state once it is gone', async () => {
    const a = uniqueName('w-a')
    const b = uniqueName('w-b')
    const elsewhere = uniqueName('w-x')
    await create(a)
    const watch = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1`)
    assert.equal(watch.status, 200)
    assert.match(String(watch.headers['content-type']), /^application\/json/)
    const added = await watch.next(named(a))
    assert.equal(added.type, 'ADDED')
    assert.equal(added.object.kind, 'Experiment')
    assert.equal(added.object.apiVersion, 'kubeflow.org/v1beta1')

    await create(elsewhere, { namespace: 'team-w' })
    await create(b)
    const bAdded = await watch.next(named(b))
    assert.equal(bAdded.type, 'ADDED')
    assert.equal(bAdded.object.spec.maxTrialCount, 10)

    await patchMax(b, 12)
    const modified = await watch.next(named(b))
    assert.equal(modified.type, 'MODIFIED')
    assert.equal(modified.object.spec.maxTrialCount, 12)
    assert.equal(modified.object.metadata.generation, 2)
    assert.ok(rv(modified) > rv(bAdded))

    await remove(b)
    const deleted = await watch.next(named(b))
    assert.equal(deleted.type, 'DELETED')
    assert.equal(deleted.object.metadata.uid, bAdded.object.metadata.uid)
    assert.equal(deleted.object.spec.maxTrialCount, 12, 'the DELETED object is the last state')
    assert.ok(rv(deleted) > rv(modified))
    assert.ok(!watch.events.some(named(elsewhere)), 'a namespaced watch sees nothing of other namespaces')
    const ids = watch.events.filter((e) => e.type !== 'BOOKMARK').map(rv)
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'resourceVersions only grow along a watch')
    watch.close()
  })

  test('from a resourceVersion: only what changed after it, deletions included although the experiment and its events are gone', async () => {
    const kept = uniqueName('w-k')
    const gone = uniqueName('w-g')
    await create(kept)
    await create(gone)
    const version = await listVersion()
    const later = uniqueName('w-l')
    await remove(gone)
    await create(later)
    const watch = await openWatch(`${url}${API}/experiments?watch=true&resourceVersion=${version}`)
    assert.equal((await watch.next(named(gone))).type, 'DELETED')
    assert.equal((await watch.next(named(later))).type, 'ADDED')
    assert.ok(!watch.events.some(named(kept)), 'nothing of an experiment unchanged since the resourceVersion')
    assert.ok(watch.events.every((e) => rv(e) > Number(version)))
    watch.close()
  })

  test('a resourceVersion older than the kept deletions is 410 Expired: one ERROR event in a 200, then the end', async () => {
    const name = uniqueName('w-c')
    await create(name)
    const old = await listVersion()
    await remove(name)
    // Compaction: the watch window for deletions is over (the hub prunes by age; here at once).
    const horizon = await store.tombstones.prune(0)
    assert.ok(horizon > Number(old))
    const watch = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&resourceVersion=${old}`)
    assert.equal(watch.status, 200)
    await watch.ended
    assert.equal(watch.events.length, 1)
    const [event] = watch.events
    assert.equal(event!.type, 'ERROR')
    assert.equal(event!.object.kind, 'Status')
    assert.equal(event!.object.code, 410)
    assert.equal(event!.object.reason, 'Expired')
    assert.match(event!.object.message, /too old resource version/)

    // What a client does next: list again and watch from there.
    const fresh = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&resourceVersion=${await listVersion()}`)
    const next = uniqueName('w-n')
    await create(next)
    assert.equal((await fresh.next(named(next))).type, 'ADDED')
    fresh.close()
  })

  test('bookmarks: the initial events end with an annotated BOOKMARK, then BOOKMARKs carry the resourceVersion reached', async () => {
    const name = uniqueName('w-b')
    await create(name)
    const watch = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`)
    const end = await watch.next((e) => e.type === 'BOOKMARK')
    assert.equal(end.object.metadata.annotations['k8s.io/initial-events-end'], 'true')
    assert.equal(end.object.kind, 'Experiment')
    assert.ok(watch.events.some(named(name, 'ADDED')), 'the initial ADDED events come before it')
    await patchMax(name, 11)
    const modified = await watch.next(named(name, 'MODIFIED'))
    const bookmark = await watch.next((e) => e.type === 'BOOKMARK')
    assert.ok(rv(bookmark) >= rv(modified))
    assert.equal(bookmark.object.apiVersion, 'kubeflow.org/v1beta1')
    assert.deepEqual(Object.keys(bookmark.object.metadata), ['resourceVersion'])
    watch.close()

    const plain = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&timeoutSeconds=1`)
    await plain.ended
    assert.ok(!plain.events.some((e) => e.type === 'BOOKMARK'), 'no BOOKMARK unless asked for')
  })

  test('selectors: a field selector on the name and a label selector narrow the stream (what kubectl wait watches)', async () => {
    const one = uniqueName('w-s')
    const two = uniqueName('w-s')
    await create(one, { labels: { team: 'red' } })
    await create(two, { labels: { team: 'blue' } })
    const byName = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&fieldSelector=${encodeURIComponent(`metadata.name=${one}`)}`)
    const byLabel = await openWatch(`${url}${API}/experiments?watch=1&labelSelector=${encodeURIComponent('team in (blue)')}`)
    assert.equal((await byName.next()).object.metadata.name, one)
    assert.equal((await byLabel.next()).object.metadata.name, two)
    await patchMax(two, 13)
    await patchMax(one, 13)
    assert.equal((await byName.next()).object.metadata.name, one)
    assert.equal((await byLabel.next()).object.metadata.name, two)
    assert.ok(!byName.events.some(named(two)) && !byLabel.events.some(named(one)))
    byName.close()
    byLabel.close()
  })

  test('an object whose labels leave a label selector is DELETED for that watch, and ADDED when they come back', async () => {
    const name = uniqueName('w-lbl')
    await create(name, { labels: { team: 'red' } })
    const watch = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&labelSelector=team%3Dred`)
    assert.equal((await watch.next(named(name))).type, 'ADDED')
    const relabel = async (team: string) => {
      const res = await fetch(`${url}${API}/namespaces/default/experiments/${name}`, {
        method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { team } } }),
      })
      assert.equal(res.status, 200, await res.text())
    }
    await relabel('green')
    const left = await watch.next(named(name))
    assert.equal(left.type, 'DELETED')
    assert.equal(left.object.metadata.labels.team, 'green')
    await relabel('red')
    assert.equal((await watch.next(named(name))).type, 'ADDED')
    watch.close()
  })

  /**
   * Two experiments; a change of the first draws its id and stays uncommitted while a change of
   * the second commits after it, as a slow transaction of the controller would.
   */
  const slowChange = async (prefix: string) => {
    const slow = uniqueName(`${prefix}-late`)
    const fast = uniqueName(`${prefix}-fast`)
    await create(slow)
    await create(fast)
    const [slowId, fastId] = [(await store.experiments.getByName(slow))!.id, (await store.experiments.getByName(fast))!.id]
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let appended!: () => void
    const drawn = new Promise<void>((resolve) => (appended = resolve))
    const held = store.transaction(async (tx) => {
      await tx.events.append({ experimentId: slowId, type: 'experiment:new-best', payload: { objective: 0.5 } })
      appended()
      await gate
    })
    await drawn
    await store.events.append({ experimentId: fastId, type: 'experiment:new-best', payload: { objective: 1 } })
    const fastChange = await store.tombstones.latestId()
    return { slow, fast, fastChange, commit: async () => { release(); await held } }
  }
  // Two connections needed (a transaction held open while another commits): PostgreSQL only.
  const interleaving = process.env.DATABASE_URL?.trim() ? false : 'DATABASE_URL is not set (PGlite has one connection, so commits cannot interleave)'

  test('a change that commits after a later one still reaches a watch that started from a list in between', { skip: interleaving }, async () => {
    const { slow, commit } = await slowChange('w1')
    const version = await listVersion()
    const watch = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&allowWatchBookmarks=true&resourceVersion=${version}`)
    // Live (its first BOOKMARK) before the slow one commits.
    await watch.next((e) => e.type === 'BOOKMARK')
    await commit()
    const late = await watch.next(named(slow))
    assert.equal(late.type, 'MODIFIED')
    assert.ok(Number(version) < rv(late), 'the list handed out a resourceVersion below the change that had not committed yet')
    watch.close()
  })

  // What kubectl wait met: the change commits after the list was read but before the watch starts.
  test('a change that commits between a list and the watch started from its resourceVersion reaches that watch', { skip: interleaving }, async () => {
    const { slow, commit } = await slowChange('w2')
    const version = await listVersion()
    await commit()
    const watch = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&resourceVersion=${version}`)
    const late = await watch.next(named(slow))
    assert.equal(late.type, 'MODIFIED')
    assert.ok(Number(version) < rv(late))
    watch.close()
  })

  // What a busy machine met: a transaction that commits seconds after a later one, past the
  // hub's gap grace (the hub has moved on), still reaches the watches that have not seen it.
  test('a change that commits after the gap grace is over still reaches live watches and those started after the gap was passed', { skip: interleaving }, async () => {
    const early = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&allowWatchBookmarks=true`)
    const { slow, fast, fastChange, commit } = await slowChange('w3')
    // The later change is held back by the gap, then delivered once the grace (2 s here) is over
    // (as ADDED or MODIFIED: its creation may come in the same poll).
    const passed = rv(await early.next((e) => named(fast)(e) && rv(e) >= fastChange))
    // A list once the gap is old enough to be handed out past it (what a client listing now gets).
    let version = Number(await listVersion())
    while (version < passed) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      version = Number(await listVersion())
    }
    const later = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&resourceVersion=${version}`)
    await commit()
    assert.equal((await early.next(named(slow))).type, 'MODIFIED')
    const seen = await later.next(named(slow))
    assert.equal(seen.type, 'MODIFIED')
    assert.ok(rv(seen) < version, 'the change is below the resourceVersion the later watch started from')
    early.close()
    later.close()
  })

  test('timeoutSeconds ends the stream', async () => {
    const started = Date.now()
    const watch = await openWatch(`${url}${API}/experiments?watch=1&timeoutSeconds=1&resourceVersion=${await listVersion()}`)
    await watch.ended
    const took = Date.now() - started
    assert.ok(took >= 900 && took < 5000, `ended after ${took} ms`)
  })

  test('kubectl get -w asks for a Table: each event carries a one-row Table, its columns only in the first', async () => {
    const name = uniqueName('w-t')
    await create(name)
    const watch = await openWatch(`${url}${API}/namespaces/default/experiments?watch=1&fieldSelector=metadata.name%3D${name}`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
    })
    const first = await watch.next()
    assert.equal(first.type, 'ADDED')
    assert.equal(first.object.kind, 'Table')
    assert.ok(first.object.columnDefinitions.length > 1)
    assert.equal(first.object.rows.length, 1)
    assert.equal(first.object.rows[0].cells[0], name)
    await patchMax(name, 14)
    const second = await watch.next()
    assert.equal(second.type, 'MODIFIED')
    assert.deepEqual(second.object.columnDefinitions, [])
    assert.equal(second.object.rows[0].cells[0], name)
    watch.close()
  })

  test('trials and suggestions: created, changed, and DELETED with their experiment', async () => {
    const name = uniqueName('w-tr')
    await create(name)
    const experiment = (await store.experiments.getByName(name))!
    const label = encodeURIComponent(`katib.kubeflow.org/experiment=${name}`)
    const trials = await openWatch(`${url}${API}/namespaces/default/trials?watch=1&labelSelector=${label}`)
    const suggestions = await openWatch(`${url}${API}/namespaces/default/suggestions?watch=1&fieldSelector=metadata.name%3D${name}`)
    assert.equal((await suggestions.next()).type, 'ADDED')
    // What a controller writes: a trial with its event in one transaction.
    const trialName = `${name}-abc`
    const [trial] = await store.transaction(async (tx) => {
      const made = await tx.trials.createMany(experiment.id, [{ name: trialName, params: { lr: 0.05, optimizer: 'adam' } }])
      await tx.events.append({ experimentId: experiment.id, trialId: made[0]!.id, type: 'trial:created', payload: { name: trialName, params: made[0]!.params } })
      return made
    })
    const added = await trials.next(named(trialName))
    assert.equal(added.type, 'ADDED')
    assert.equal(added.object.kind, 'Trial')
    assert.deepEqual(added.object.spec.parameterAssignments, [{ name: 'lr', value: '0.05' }, { name: 'optimizer', value: 'adam' }])
    const suggested = await suggestions.next((e) => e.object.status?.suggestionCount === 1)
    assert.equal(suggested.type, 'MODIFIED')

    await store.transaction(async (tx) => {
      await tx.trials.transition(trial!.id, ['Pending'], 'Running', { startedAt: new Date() })
      await tx.events.append({ experimentId: experiment.id, trialId: trial!.id, type: 'trial:state-changed', payload: { state: 'Running' } })
    })
    const running = await trials.next(named(trialName))
    assert.equal(running.type, 'MODIFIED')
    assert.ok(running.object.status.conditions.some((c: { type: string; status: string }) => c.type === 'Running' && c.status === 'True'))

    // A delete stops what runs first (its trials may change on the way), then it is gone.
    await remove(name)
    const deleted = await trials.next(named(trialName, 'DELETED'))
    assert.equal(deleted.object.metadata.uid, trial!.id)
    assert.ok(rv(deleted) > rv(running))
    await suggestions.next(named(name, 'DELETED'))
    trials.close()
    suggestions.close()
  })

  test('malformed parameters are a 400 Status before any stream', async () => {
    for (const query of ['resourceVersion=abc', 'labelSelector=a%20in%20(', 'fieldSelector=spec.x%3D1']) {
      const res = await fetch(`${url}${API}/experiments?watch=1&${query}`)
      assert.equal(res.status, 400, query)
      const status = (await res.json()) as { kind: string; reason: string }
      assert.equal(status.kind, 'Status')
      assert.equal(status.reason, 'BadRequest')
    }
  })

  test('many watches share one reader of the store', async () => {
    const hub = kubeWatchHub(store)
    const tombstones = store.tombstones
    let reads = 0
    const original = tombstones.changes.bind(tombstones)
    const counting = (query: Parameters<typeof original>[0]) => {
      reads += 1
      return original(query)
    }
    ;(tombstones as { changes: typeof original }).changes = counting
    try {
      const version = await listVersion()
      const watches = await Promise.all(Array.from({ length: 40 }, () => openWatch(`${url}${API}/experiments?watch=1&resourceVersion=${version}`)))
      reads = 0
      const name = uniqueName('w-m')
      const started = Date.now()
      await create(name)
      for (const watch of watches) assert.equal((await watch.next(named(name))).type, 'ADDED')
      const polls = (Date.now() - started) / 40
      assert.ok(reads <= polls + 5, `${reads} reads of the change stream for 40 watches over ${Math.round(polls)} poll intervals`)
      assert.ok(hub.watchCount >= 40)
      for (const watch of watches) watch.close()
    } finally {
      ;(tombstones as { changes: typeof original }).changes = original
    }
  })

  test('a client that stops reading is ended, not buffered for ever; it resumes from the last resourceVersion it read', async () => {
    const hub = kubeWatchHub(store)
    const names = Array.from({ length: 20 }, () => uniqueName('w-slow'))
    // Large objects (a 100 kB annotation each), so little traffic fills the socket's buffers.
    const note = 'x'.repeat(100_000)
    for (const name of names) await create(name, { annotation: note })
    const version = await listVersion()
    const baseline = hub.watchCount
    // A raw socket that never reads: the server's writes back up.
    const socket = connect(Number(new URL(url).port), '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.pause()
    socket.write(`GET ${API}/experiments?watch=1&resourceVersion=${version} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n`)
    const deadline = Date.now() + 60_000
    while (hub.watchCount === baseline && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    assert.equal(hub.watchCount, baseline + 1, 'the watch is registered')
    let rounds = 0
    while (hub.watchCount > baseline && Date.now() < deadline) {
      rounds += 1
      for (const name of names) await patchMax(name, 20 + (rounds % 50))
      await new Promise((r) => setTimeout(r, 60))
    }
    assert.equal(hub.watchCount, baseline, `the stalled watch was ended (after ${rounds} rounds of ${names.length} changes)`)
    const sent = rounds * names.length * note.length
    // Now read what was sent: the stream ends, short of everything that changed.
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.resume()
    await new Promise<void>((resolve) => {
      const check = () => (text.includes('\r\n0\r\n\r\n') ? resolve() : setTimeout(check, 20))
      check()
    })
    socket.destroy()
    assert.ok(text.length < sent, `it got ${text.length} bytes of the ${sent} its changes came to`)
    const lines = text.split('\n').filter((l) => l.startsWith('{"type"'))
    const last = JSON.parse(lines.at(-1)!) as WatchEvent
    const resumed = await openWatch(`${url}${API}/experiments?watch=1&resourceVersion=${rv(last)}`)
    // Each experiment changed after what it read comes again, as it is now.
    const list = (await (await fetch(`${url}${API}/experiments`)).json()) as { items: { metadata: { name: string; resourceVersion: string } }[] }
    const missed = list.items.filter((item) => names.includes(item.metadata.name) && Number(item.metadata.resourceVersion) > rv(last))
    assert.ok(missed.length > 0)
    const sentVersion = (name: string) => resumed.events.find(named(name))?.object.metadata.resourceVersion
    const until = Date.now() + 30_000
    while (missed.some((item) => sentVersion(item.metadata.name) === undefined) && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
    for (const item of missed) assert.equal(sentVersion(item.metadata.name), item.metadata.resourceVersion, item.metadata.name)
    resumed.close()
  })
})
