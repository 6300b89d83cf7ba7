import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PrometheusScrapeSource } from '../../metrics-collector/prometheus-scrape-source.ts'

/** An endpoint whose body the test sets; answers 404 off `/metrics`. */
async function endpoint(): Promise<{ url: string; set: (body: string) => void; server: Server }> {
  let body = ''
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end('not here')
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/metrics`, set: (b) => (body = b), server }
}

const show = (pts: ReadonlyArray<{ name: string; step: number; value: number; at: Date }>): string[] => pts.map((p) => `${p.name}@${p.step}=${p.value}`)

test('each scrape yields the metrics that changed, stepped 0, 1, 2 per metric, stamped with the scrape or the sample\'s timestamp', async () => {
  const { url, set, server } = await endpoint()
  try {
    let clock = Date.parse('2026-01-01T00:00:00Z')
    const source = new PrometheusScrapeSource(url, ['accuracy', 'loss{split="test"}', 'lr'], { now: () => new Date(clock) })
    set('# TYPE accuracy gauge\naccuracy 0.5\nloss{split="train"} 0.9\nloss{split="test"} 0.8\nlr 0.1 1700000000000\n')
    const first = await source.poll()
    assert.deepEqual(show(first), ['accuracy@0=0.5', 'loss{split="test"}@0=0.8', 'lr@0=0.1'])
    assert.equal(first[0]!.at.toISOString(), '2026-01-01T00:00:00.000Z')
    assert.equal(first[2]!.at.toISOString(), '2023-11-14T22:13:20.000Z')
    clock += 5000
    // accuracy unchanged: no new point; loss changed; lr's own timestamp moved on with the same value.
    set('accuracy 0.5\nloss{split="train"} 0.7\nloss{split="test"} 0.6\nlr 0.1 1700000005000\n')
    assert.deepEqual(show(await source.poll()), ['loss{split="test"}@1=0.6', 'lr@1=0.1'])
    set('accuracy 0.75\nloss{split="test"} 0.6\nlr 0.1 1700000005000\n')
    const third = await source.finish()
    assert.deepEqual(show(third), ['accuracy@1=0.75'])
    assert.equal(third[0]!.at.toISOString(), '2026-01-01T00:00:05.000Z')
    assert.deepEqual(source.notes(['accuracy', 'loss{split="test"}', 'lr']), [])
    assert.equal(source.answered, 3)
  } finally {
    server.close()
  }
})

test('an endpoint that never answers is a note that says where it was looked for, not an error', async () => {
  const { url, server } = await endpoint()
  await new Promise((resolve) => server.close(resolve))
  const source = new PrometheusScrapeSource(url, ['accuracy'])
  assert.deepEqual(await source.poll(), [])
  assert.deepEqual(await source.finish(), [])
  const [note] = source.notes(['accuracy'])
  assert.match(note!, new RegExp(`got no answer from ${url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\); the trial must serve its metrics there`))
})

test('a wrong path, a metric not served, an ambiguous one and lines that are no samples each get a note', async () => {
  const { url, set, server } = await endpoint()
  try {
    const wrong = new PrometheusScrapeSource(url.replace('/metrics', '/stats'), ['accuracy'])
    assert.deepEqual(await wrong.poll(), [])
    assert.match(wrong.notes(['accuracy'])[0]!, /got no answer from .*\/stats \(HTTP 404\)/)

    set('acc 1\nloss{split="a"} 1\nloss{split="b"} 2\nbroken line here\n')
    const source = new PrometheusScrapeSource(url, ['accuracy', 'loss', 'acc', 'test/accuracy'])
    assert.deepEqual(show(await source.poll()), ['acc@0=1'])
    const notes = source.notes(['accuracy', 'loss', 'acc', 'test/accuracy'])
    assert.equal(notes.length, 4, notes.join('\n'))
    assert.match(notes[0]!, /served no sample for metric "accuracy"; it serves acc, loss/)
    assert.match(notes[1]!, /served 2 series of loss with different labels; name one in the metric, e\.g\. loss\{label="value"\}/)
    assert.match(notes[2]!, /cannot be searched for metric "test\/accuracy": it is no Prometheus metric name/)
    assert.match(notes[3]!, /served lines that are no Prometheus sample, e\.g\. line 4: /)
  } finally {
    server.close()
  }
})
