import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Writable } from 'node:stream'
import type { Log, LogOptions } from '@kubernetes/client-node'
import { PodLogFollower } from '../../controller/kubernetes/pod-log-follower.ts'

/**
 * A pods/log endpoint played by a script: each read gets the next answer, which writes some of
 * the container's log and then ends the stream, or leaves it hanging (a connection that broke
 * without closing).
 */
function scriptedLog(answers: ((sink: Writable, options: LogOptions) => void)[]): { log: Log; reads: LogOptions[] } {
  const reads: LogOptions[] = []
  const log = {
    async log(_namespace: string, _pod: string, _container: string, sink: Writable, options: LogOptions) {
      reads.push(options)
      const answer = answers.shift()
      if (!answer) throw new Error('no more scripted reads')
      queueMicrotask(() => answer(sink, options))
      return new AbortController()
    },
  }
  return { log: log as unknown as Log, reads }
}

const write = (sink: Writable, text: string, end = true) => {
  sink.write(Buffer.from(text))
  if (end) sink.end()
}

test('a stream that ends early is read again from the start, and no line arrives twice or is lost', async () => {
  let follower!: PodLogFollower
  const { log, reads } = scriptedLog([
    // Cut in the middle of "loss=0.3": that half line must not count.
    (sink) => write(sink, 'loss=0.1\nloss=0.2\nloss=0.', true),
    (sink) => {
      follower.containerTerminated()
      write(sink, 'loss=0.1\nloss=0.2\nloss=0.3\ndone')
    },
  ])
  const lines: string[] = []
  follower = new PodLogFollower(log, { namespace: 'n', pod: 'p', container: 'c' }, (l) => lines.push(l), { retryMs: 1, drainMs: 1 })
  await follower.run()
  assert.deepEqual(lines, ['loss=0.1', 'loss=0.2', 'loss=0.3', 'done'])
  assert.equal(follower.delivered, 4)
  assert.equal(reads[0]!.follow, true)
})

test('once the container ended, a follow stream that hangs is replaced by one read without follow', async () => {
  let follower!: PodLogFollower
  const { log, reads } = scriptedLog([
    (sink) => {
      write(sink, 'a\nb\n', false)
      follower.containerTerminated()
    },
    (sink) => write(sink, 'a\nb\nc\n'),
  ])
  const lines: string[] = []
  follower = new PodLogFollower(log, { namespace: 'n', pod: 'p', container: 'c' }, (l) => lines.push(l), { retryMs: 1, drainMs: 5 })
  await follower.run()
  assert.deepEqual(lines, ['a', 'b', 'c'])
  assert.deepEqual(reads.map((r) => r.follow), [true, false])
})

test('a container that has not started yet (400) is asked again; a pod that is gone (404) ends the follower', async () => {
  const { ApiException } = await import('@kubernetes/client-node')
  let calls = 0
  const log = {
    async log(_n: string, _p: string, _c: string, sink: Writable) {
      calls++
      if (calls === 1) throw new ApiException(400, 'container "c" in pod "p" is waiting to start: ContainerCreating', undefined, {})
      if (calls === 2) {
        queueMicrotask(() => write(sink, 'x\n', false))
        return new AbortController()
      }
      throw new ApiException(404, 'pods "p" not found', undefined, {})
    },
  } as unknown as Log
  const lines: string[] = []
  const follower = new PodLogFollower(log, { namespace: 'n', pod: 'p', container: 'c' }, (l) => lines.push(l), { retryMs: 1, drainMs: 5 })
  const running = follower.run()
  while (lines.length === 0) await new Promise((r) => setTimeout(r, 1))
  follower.containerTerminated()
  await running
  assert.deepEqual(lines, ['x'])
  assert.equal(calls, 3)
})

test('a container restarted in its pod: the rest of the run followed so far is read from the pod\'s previous log', async () => {
  let follower!: PodLogFollower
  const { log, reads } = scriptedLog([
    (sink) => {
      // The run ends and the kubelet starts the next one; this stream broke on the way.
      write(sink, 'loss=0.9\n', false)
      follower.containerRestarted()
    },
    (sink) => write(sink, 'loss=0.9\nloss=0.8\nCUDA error\n'),
  ])
  const lines: string[] = []
  follower = new PodLogFollower(log, { namespace: 'n', pod: 'p', container: 'c' }, (l) => lines.push(l), { retryMs: 1, drainMs: 5 })
  await follower.run()
  assert.deepEqual(lines, ['loss=0.9', 'loss=0.8', 'CUDA error'])
  assert.deepEqual(reads.map((r) => [r.follow, r.previous ?? false]), [[true, false], [false, true]])
})
