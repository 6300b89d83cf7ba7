import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Watch } from '@kubernetes/client-node'
import { SharedWatch } from '../../controller/kubernetes/shared-watch.ts'
import type { Json, ListResult } from '../../controller/kubernetes/workload-api.ts'

const job = (name: string, resourceVersion: string, uid = `uid-${name}`, extra: Json = {}): Json => ({ metadata: { name, uid, resourceVersion }, ...extra })

type Emit = (type: string, object: Json) => void
type WatchStep = (emit: Emit, done: (error: unknown) => void) => void

/** A list + watch endpoint played by a script: each list and each watch connection takes the next step. */
function scripted(lists: ListResult[], watches: WatchStep[]) {
  const calls: { what: 'list' | 'watch'; resourceVersion?: string; labelSelector?: string }[] = []
  const source = {
    labelSelector: 'app.kubernetes.io/managed-by=tunewell',
    path: async () => '/apis/batch/v1/namespaces/n/jobs',
    list: async () => {
      calls.push({ what: 'list' })
      const next = lists.shift()
      if (!next) throw new Error('no more scripted lists')
      return next
    },
  }
  let aborted = 0
  const watch = {
    async watch(_path: string, query: Record<string, unknown>, callback: Emit, done: (error: unknown) => void) {
      calls.push({ what: 'watch', resourceVersion: String(query.resourceVersion), labelSelector: String(query.labelSelector) })
      const step = watches.shift()
      if (step) setTimeout(() => step(callback, done), 1)
      const controller = new AbortController()
      controller.signal.addEventListener('abort', () => aborted++)
      return controller
    },
  } as unknown as Watch
  return { source, watch, calls, aborted: () => aborted }
}

test('list, then watch from the list\'s resourceVersion; a closed watch resumes from the last one seen; 410 Gone (an ERROR event or the HTTP status) relists', async () => {
  const seen: { names: string[]; listed: boolean }[] = []
  let idle = false
  const { source, watch, calls, aborted } = scripted(
    [
      { items: [job('a', '5'), job('b', '6')], resourceVersion: '10' },
      { items: [job('a', '30', 'uid-a', { status: { succeeded: 1 } })], resourceVersion: '31' },
      { items: [], resourceVersion: '40' },
    ],
    [
      (emit, done) => {
        emit('MODIFIED', job('a', '11', 'uid-a', { status: { active: 1 } }))
        emit('BOOKMARK', { metadata: { resourceVersion: '12' } })
        done(null)
      },
      (emit, done) => {
        emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired' })
        done(null)
      },
      (_emit, done) => done(Object.assign(new Error('Gone'), { statusCode: 410 })),
    ],
  )
  const shared = new SharedWatch(source, watch, { keyOf: (o) => o.metadata?.name, retryMs: 1, onIdle: () => (idle = true) })
  const unsubscribe = shared.subscribe('a', { onChange: (objects, listed) => seen.push({ names: objects.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`), listed }) })
  while (calls.filter((c) => c.what === 'watch').length < 4) await new Promise((r) => setTimeout(r, 2))
  unsubscribe()
  assert.deepEqual(calls, [
    { what: 'list' },
    { what: 'watch', resourceVersion: '10', labelSelector: 'app.kubernetes.io/managed-by=tunewell' },
    { what: 'watch', resourceVersion: '12', labelSelector: 'app.kubernetes.io/managed-by=tunewell' },
    { what: 'list' },
    { what: 'watch', resourceVersion: '31', labelSelector: 'app.kubernetes.io/managed-by=tunewell' },
    { what: 'list' },
    { what: 'watch', resourceVersion: '40', labelSelector: 'app.kubernetes.io/managed-by=tunewell' },
  ])
  assert.deepEqual(seen, [
    { names: ['a@5'], listed: true },
    { names: ['a@11'], listed: false },
    { names: ['a@30'], listed: true },
    // The last list no longer has it: the listener learns it is gone.
    { names: [], listed: true },
  ])
  assert.equal(idle, true, 'no listener left: the watch stops')
  assert.ok(aborted() >= 1)
})

test('objects are kept by key; a listener that comes later gets what is known at once; a deleted object leaves its key', async () => {
  const { source, watch } = scripted(
    [{ items: [job('a', '5'), job('b', '6')], resourceVersion: '10' }],
    [
      (emit) => {
        emit('DELETED', job('b', '11'))
      },
    ],
  )
  const shared = new SharedWatch(source, watch, { keyOf: (o) => o.metadata?.name, retryMs: 1 })
  const a: string[][] = []
  const stopA = shared.subscribe('a', { onChange: (objects) => a.push(objects.map((o) => o.metadata.name)) })
  while (a.length === 0) await new Promise((r) => setTimeout(r, 1))
  const b: string[][] = []
  const stopB = shared.subscribe('b', { onChange: (objects) => b.push(objects.map((o) => o.metadata.name)) })
  while (b.length < 2) await new Promise((r) => setTimeout(r, 1))
  assert.deepEqual(a, [['a']])
  assert.deepEqual(b, [['b'], []])
  assert.deepEqual(shared.objectsOf('b'), [])
  stopA()
  stopB()
})

test('a refused list is reported to the listeners with its status, and retried', async () => {
  const refusal = Object.assign(new Error('forbidden'), { statusCode: 403 })
  let lists = 0
  const source = {
    labelSelector: 'x=y',
    path: async () => '/p',
    list: async (): Promise<ListResult> => {
      lists++
      if (lists === 1) throw refusal
      return { items: [], resourceVersion: '1' }
    },
  }
  const watch = { watch: async () => new AbortController() } as unknown as Watch
  const shared = new SharedWatch(source, watch, { keyOf: (o) => o.metadata?.name, retryMs: 1 })
  const errors: (number | undefined)[] = []
  const listed: boolean[] = []
  const stop = shared.subscribe('a', { onChange: (_o, l) => listed.push(l), onError: (_m, code) => errors.push(code) })
  while (listed.length === 0) await new Promise((r) => setTimeout(r, 1))
  stop()
  assert.deepEqual(errors, [403])
  assert.equal(lists, 2)
})
