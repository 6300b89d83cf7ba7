import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { followLog } from '../../api/follow-log.ts'
import type { TrialState } from '../../core/trial.ts'
import type { TrialRecord } from '../../db/store.ts'
import { experimentYaml, openTestApp, postYaml, uniqueName, type TestApp } from '../helpers/test-app.ts'

const logs = mkdtempSync(join(tmpdir(), 'tunewell-follow-'))
const logPath = (experiment: string, trial: string) => join(logs, experiment, trial, 'output.log')
let t: TestApp
let base: string
before(async () => {
  t = await openTestApp({ trialLogPath: logPath })
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
})
after(async () => {
  await t?.close()
})

/** A trial of an experiment with a trialTemplate (no controller runs it here: the test plays its part). */
async function newTrial(app: TestApp, state: TrialState = 'Pending', template = true): Promise<{ experiment: string; trial: TrialRecord; log: string; url: string }> {
  const experiment = uniqueName('follow')
  assert.equal((await postYaml(app.app, experimentYaml(experiment, { template }))).statusCode, 201)
  const record = (await app.store.experiments.getByName(experiment))!
  const [trial] = await app.store.trials.createMany(record.id, [{ name: `${experiment}-t0`, params: { lr: 0.05, optimizer: 'sgd' } }])
  if (state !== 'Pending') await app.store.trials.transition(trial!.id, ['Pending'], state, { startedAt: new Date() })
  const log = logPath(experiment, trial!.name)
  return { experiment, trial: trial!, log, url: `/api/v1/experiments/${experiment}/trials/${trial!.name}/logs` }
}

function writeLog(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

/** Reads a streamed answer; `until(text)` resolves once that much has arrived, `done` with everything. */
function reader(response: Response) {
  let received = ''
  const waiters: { text: string; resolve: () => void }[] = []
  const decoder = new TextDecoder()
  const done = (async () => {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      received += decoder.decode(chunk, { stream: true })
      for (const w of waiters.splice(0)) {
        if (received.includes(w.text)) w.resolve()
        else waiters.push(w)
      }
    }
    return received + decoder.decode()
  })()
  return {
    done,
    until: (text: string) => (received.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve }))),
  }
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('')

describe('GET .../logs?follow=true', () => {
  test('waits for a pending trial\'s log, streams it as it grows, and ends once the trial ended and the file is drained', async () => {
    const { trial, log, url } = await newTrial(t)
    const response = await fetch(`${base}${url}?follow=true`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/)
    const read = reader(response)
    await t.store.trials.transition(trial.id, ['Pending'], 'Running', { startedAt: new Date() })
    writeLog(log, lines(1, 3))
    await read.until('line 3\n')
    for (let i = 4; i <= 40; i++) {
      appendFileSync(log, `line ${i}\n`)
      if (i % 10 === 0) await read.until(`line ${i}\n`)
    }
    // Written right before the trial ends, without waiting: the follow must still drain them.
    appendFileSync(log, lines(41, 45))
    await t.store.trials.transition(trial.id, ['Running'], 'Succeeded', { finishedAt: new Date() })
    assert.equal(await read.done, lines(1, 45), 'every line once, in order')
  })

  test('starts with the tail, then only what is new', async () => {
    const { trial, log, url } = await newTrial(t, 'Running')
    writeLog(log, lines(1, 10))
    const read = reader(await fetch(`${base}${url}?follow=true&tail=3`))
    await read.until('line 10\n')
    appendFileSync(log, lines(11, 12))
    await read.until('line 12\n')
    await t.store.trials.transition(trial.id, ['Running'], 'Killed', { finishedAt: new Date() })
    assert.equal(await read.done, lines(8, 12))
  })

  test('a finished trial: its whole log at once, or 404 when it never wrote one (or runs elsewhere)', async () => {
    const { trial, log, url } = await newTrial(t, 'Running')
    await t.store.trials.transition(trial.id, ['Running'], 'Failed', { finishedAt: new Date() })
    const none = await fetch(`${base}${url}?follow=true`)
    assert.equal(none.status, 404)
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'LOG_NOT_FOUND')
    writeLog(log, lines(1, 5))
    assert.equal(await (await fetch(`${base}${url}?follow=true`)).text(), lines(1, 5))
    assert.equal(await (await fetch(`${base}${url}?follow=true&tail=2`)).text(), lines(4, 5))
    assert.equal((await fetch(`${base}${url}?follow=maybe`)).status, 400)
    const outside = await newTrial(t, 'Running', false)
    assert.equal((await fetch(`${base}${outside.url}?follow=true`)).status, 404, 'trials of outside workers write no log here')
  })

  test('a client that goes away, and app.close() with a follow still open, end the stream without hanging', async () => {
    const { log, url } = await newTrial(t, 'Running')
    writeLog(log, lines(1, 2))
    // node:http, not fetch: an aborted fetch makes Node 20's undici open a spare connection that
    // sends nothing, and such a connection holds server.close() until it times out.
    const seen = await new Promise<string>((resolve, reject) => {
      const request = get(`${base}${url}?follow=true`, (response) => {
        let text = ''
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          if (text.includes('line 2\n')) request.destroy()
        })
        response.on('error', () => undefined)
        request.on('close', () => resolve(text))
      })
      request.on('error', (error) => (request.destroyed ? undefined : reject(error)))
    })
    assert.equal(seen, lines(1, 2))

    const own = await openTestApp({ trialLogPath: logPath })
    try {
      await own.app.listen({ host: '127.0.0.1', port: 0 })
      const running = await newTrial(own, 'Running')
      writeLog(running.log, lines(1, 2))
      const port = (own.app.server.address() as AddressInfo).port
      const open = reader(await fetch(`http://127.0.0.1:${port}${running.url}?follow=true`))
      await open.until('line 2\n')
      await own.app.close()
      assert.equal(await open.done, lines(1, 2), 'closing the server ends the follow cleanly')
    } finally {
      await own.close()
    }
  })

  test('a relaunched trial starts its log over: the follow starts over with it', async () => {
    const path = join(logs, 'relaunch', 'output.log')
    writeLog(path, lines(1, 3))
    let active = true
    const chunks: string[] = []
    const follow = followLog(path, { isActive: async () => active, signal: new AbortController().signal, pollMs: 10 })
    for await (const chunk of follow) {
      chunks.push(chunk.toString())
      const text = chunks.join('')
      if (text === lines(1, 3)) writeFileSync(path, 'again 1\n')
      if (text.endsWith('again 1\n')) {
        appendFileSync(path, 'again 2\n')
        active = false
      }
    }
    assert.equal(chunks.join(''), `${lines(1, 3)}again 1\nagain 2\n`)
  })
})
