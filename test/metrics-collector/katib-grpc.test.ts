import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { connect as h2connect, type ClientHttp2Session } from 'node:http2'
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { MetricPoint } from '../../core/metric.ts'
import { Duplex } from 'node:stream'
import { frameMessage } from '../../metrics-collector/katib-grpc/grpc-frame.ts'
import { startKatibDbManager, type KatibDbManager } from '../../metrics-collector/katib-grpc/katib-db-manager.ts'
import {
  decodeGetObservationLogReply,
  decodeReportObservationLogRequest,
  encodeGetObservationLogReply,
  encodeGetObservationLogRequest,
  encodeReportObservationLogRequest,
  type KatibMetricLog,
} from '../../metrics-collector/katib-grpc/katib-messages.ts'
import { replayedSocket } from '../../metrics-collector/katib-grpc/replayed-socket.ts'
import { startPushReceiver, TrialNotHereError, type PushReceiver } from '../../metrics-collector/push-receiver.ts'
import { reportThroughReceiver } from '../../metrics-collector/katib-grpc/report-through-receiver.ts'
import { pushTokens } from '../../metrics-collector/push-tokens.ts'

// Encoded by Python's protobuf library from descriptors with api.proto's field numbers
// (test/fixtures/katib-grpc/katib_sdk.py): ReportObservationLogRequest{trial_name "t-1", one
// MetricLog{"2024-05-01T10:00:00Z", Metric{"loss", "0.25"}}}, and two GetObservationLogReply.
const PYTHON_REPORT = '0a03742d3112260a240a14323032342d30352d30315431303a30303a30305a120c0a046c6f73731204302e3235'
const PYTHON_REPLY = '0a280a260a18323032342d30352d30315431303a30303a30302e3030305a120a0a036163631203302e35'
const PYTHON_EMPTY_REPLY = '0a00'

describe("Katib's DBManager messages", () => {
  test('decode what Python protobuf encodes and encode the same bytes', () => {
    const request = decodeReportObservationLogRequest(Buffer.from(PYTHON_REPORT, 'hex'))
    assert.deepEqual(request, { trialName: 't-1', metricLogs: [{ timeStamp: '2024-05-01T10:00:00Z', name: 'loss', value: '0.25' }] })
    assert.equal(Buffer.from(encodeReportObservationLogRequest(request)).toString('hex'), PYTHON_REPORT)
    const logs: KatibMetricLog[] = [{ timeStamp: '2024-05-01T10:00:00.000Z', name: 'acc', value: '0.5' }]
    assert.equal(Buffer.from(encodeGetObservationLogReply(logs)).toString('hex'), PYTHON_REPLY)
    assert.equal(Buffer.from(encodeGetObservationLogReply([])).toString('hex'), PYTHON_EMPTY_REPLY)
    assert.deepEqual(decodeGetObservationLogReply(Buffer.from(PYTHON_REPLY, 'hex')), logs)
  })

  test('unknown fields of any wire type are skipped; a truncated message is an error', () => {
    // field 9 varint 150, field 10 fixed64, then trial_name, field 11 fixed32.
    const extra = Buffer.concat([Buffer.from('489601' + '51' + '00'.repeat(8), 'hex'), Buffer.from('0a0178', 'hex'), Buffer.from('5d' + '00'.repeat(4), 'hex')])
    assert.equal(decodeReportObservationLogRequest(extra).trialName, 'x')
    assert.throws(() => decodeReportObservationLogRequest(Buffer.from('0a05ab', 'hex')), /truncated/)
  })
})

interface Answer {
  readonly httpStatus: number
  readonly code: number | undefined
  readonly message: string
  readonly body: Buffer
}

/** One unary call, as a gRPC client sends it. */
function call(session: ClientHttp2Session, method: string, message: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': `/api.v1.beta1.DBManager/${method}`, 'content-type': 'application/grpc', te: 'trailers', ...headers })
    let status = 0
    let head: Record<string, unknown> = {}
    const chunks: Buffer[] = []
    stream.on('response', (h) => {
      status = Number(h[':status'])
      head = h
    })
    stream.on('data', (c: Buffer) => chunks.push(c))
    let trailers: Record<string, unknown> = {}
    stream.on('trailers', (t) => (trailers = t))
    stream.on('error', reject)
    stream.on('end', () => {
      const grpcStatus = trailers['grpc-status'] ?? head['grpc-status']
      const text = String(trailers['grpc-message'] ?? head['grpc-message'] ?? '')
      const body = Buffer.concat(chunks)
      resolve({ httpStatus: status, code: grpcStatus === undefined ? undefined : Number(grpcStatus), message: decodeURIComponent(text), body: body.length >= 5 ? body.subarray(5) : body })
    })
    stream.end(frameMessage(message))
  })
}

const report = (trialName: string, logs: KatibMetricLog[]) => encodeReportObservationLogRequest({ trialName, metricLogs: logs })
const get = (trialName: string, metricName = '', startTime = '', endTime = '') => encodeGetObservationLogRequest({ trialName, metricName, startTime, endTime })

/** An HTTP CONNECT through the server; resolves with the status, and the tunnel (with what came after the answer's head). */
function connectThrough(port: number, target: string, credentials?: string): Promise<{ status: number; text: string; socket: Socket; tunnel: Duplex }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('error', reject)
    const auth = credentials === undefined ? '' : `proxy-authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n`
    socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n${auth}\r\n`)
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      socket.off('data', onData)
      socket.pause()
      // The server's first HTTP/2 frames may come in the same read as the answer.
      const rest = Buffer.from(head.slice(end + 4), 'latin1')
      resolve({ status: Number(head.split(' ')[1]), text: head.slice(0, end), socket, tunnel: replayedSocket(socket, rest) })
    }
    socket.on('data', onData)
  })
}

describe("Katib's DBManager gRPC server", () => {
  const tokens = pushTokens()
  const stored = new Map<string, MetricPoint[]>([['trial-a', [{ name: 'loss', step: 4, value: 9, at: new Date('2024-05-01T09:00:00Z') }]], ['trial-b', []]])
  const running = new Set(['trial-a', 'trial-b'])
  let failNext: Error | undefined
  let server: KatibDbManager
  let receiver: PushReceiver
  let direct: ClientHttp2Session
  let echo: Server
  before(async () => {
    // Reports take a push's path, as run and serve wire them: the receiver numbers the steps.
    receiver = await startPushReceiver(
      (trialName, points) => {
        if (!running.has(trialName)) throw new TrialNotHereError('it has finished')
        if (failNext) {
          const error = failNext
          failNext = undefined
          throw error
        }
        stored.get(trialName)!.push(...points)
      },
      {
        tokens,
        storedSteps: async (trialName) => {
          const next = new Map<string, number>()
          for (const p of stored.get(trialName) ?? []) next.set(p.name, Math.max(next.get(p.name) ?? 0, p.step + 1))
          return next
        },
      },
    )
    server = await startKatibDbManager(
      {
        report: reportThroughReceiver(receiver),
        async observations(trialName) {
          return stored.get(trialName)
        },
      },
      { tokens },
    )
    direct = h2connect(`http://${server.address}`)
    echo = createServer((socket) => socket.pipe(socket))
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  })
  after(async () => {
    direct.close()
    echo.close()
    await server.close()
    await receiver.close()
  })
  const bearer = (trialName: string) => ({ authorization: `Bearer ${tokens.tokenFor(trialName)}` })

  test('a report with the trial token is stored; steps go on from those stored; the reply is empty and OK', async () => {
    const answer = await call(direct, 'ReportObservationLog', report('trial-a', [
      { timeStamp: '2024-05-01T10:00:00Z', name: 'loss', value: '0.5' },
      { timeStamp: '2024-05-01T10:00:00Z', name: 'accuracy', value: '0.75' },
    ]), bearer('trial-a'))
    assert.deepEqual([answer.httpStatus, answer.code, answer.body.length], [200, 0, 0])
    const again = await call(direct, 'ReportObservationLog', report('trial-a', [{ timeStamp: '', name: 'loss', value: 'nan' }]), bearer('trial-a'))
    assert.equal(again.code, 0)
    const points = stored.get('trial-a')!
    assert.deepEqual(points.slice(1).map((p) => [p.name, p.step, p.value, p.at.toISOString().slice(0, 10)]), [
      ['loss', 5, 0.5, '2024-05-01'],
      ['accuracy', 0, 0.75, '2024-05-01'],
      ['loss', 6, Number.NaN, new Date().toISOString().slice(0, 10)],
    ])
  })

  test('GetObservationLog answers the stored points by time, by metric name and within [start_time, end_time]', async () => {
    const all = await call(direct, 'GetObservationLog', get('trial-a'), bearer('trial-a'))
    assert.equal(all.code, 0, all.message)
    assert.deepEqual(decodeGetObservationLogReply(all.body).map((l) => l.name), ['loss', 'accuracy', 'loss', 'loss'])
    const some = await call(direct, 'GetObservationLog', get('trial-a', 'loss', '2024-05-01T09:30:00Z', '2024-05-01T10:00:00Z'), bearer('trial-a'))
    assert.deepEqual(decodeGetObservationLogReply(some.body), [{ timeStamp: '2024-05-01T10:00:00.000Z', name: 'loss', value: '0.5' }])
    const bad = await call(direct, 'GetObservationLog', get('trial-a', '', 'yesterday'), bearer('trial-a'))
    assert.deepEqual([bad.code, bad.message], [3, 'start_time "yesterday" is not an RFC 3339 time'])
  })

  test('without credentials, or with another trial\'s token: UNAUTHENTICATED, nothing stored', async () => {
    const before = stored.get('trial-b')!.length
    const none = await call(direct, 'ReportObservationLog', report('trial-b', [{ timeStamp: '', name: 'loss', value: '1' }]))
    assert.equal(none.code, 16)
    assert.match(none.message, /no credentials: call through the grpc_proxy/)
    const wrong = await call(direct, 'ReportObservationLog', report('trial-b', [{ timeStamp: '', name: 'loss', value: '1' }]), bearer('trial-a'))
    assert.deepEqual([wrong.code, wrong.message], [16, "the bearer token is not trial trial-b's"])
    assert.equal((await call(direct, 'GetObservationLog', get('trial-a'))).code, 16)
    assert.equal(stored.get('trial-b')!.length, before)
  })

  test('bad values and times are INVALID_ARGUMENT naming the field; a finished trial NOT_FOUND; a failed store UNAVAILABLE', async () => {
    const value = await call(direct, 'ReportObservationLog', report('trial-b', [{ timeStamp: '', name: 'loss', value: '0.1' }, { timeStamp: '', name: 'loss', value: '0x10' }]), bearer('trial-b'))
    assert.deepEqual([value.code, value.message], [3, 'observation_log.metric_logs[1].metric.value "0x10" of metric loss is not a number (nor nan, inf, -inf)'])
    const time = await call(direct, 'ReportObservationLog', report('trial-b', [{ timeStamp: '2024-02-30T00:00:00Z', name: 'loss', value: '1' }]), bearer('trial-b'))
    assert.deepEqual([time.code, time.message], [3, 'observation_log.metric_logs[0].time_stamp "2024-02-30T00:00:00Z" is not an RFC 3339 time'])
    const name = await call(direct, 'ReportObservationLog', report('trial-b', [{ timeStamp: '', name: '', value: '1' }]), bearer('trial-b'))
    assert.deepEqual([name.code, name.message], [3, 'observation_log.metric_logs[0].metric.name is empty'])
    assert.equal(stored.get('trial-b')!.length, 0)
    running.delete('trial-b')
    const gone = await call(direct, 'ReportObservationLog', report('trial-b', [{ timeStamp: '', name: 'loss', value: '1' }]), bearer('trial-b'))
    assert.deepEqual([gone.code, gone.message], [5, 'trial trial-b is not running here: it has finished'])
    running.add('trial-b')
    failNext = new Error('database away')
    const down = await call(direct, 'ReportObservationLog', report('trial-b', [{ timeStamp: '', name: 'loss', value: '1' }]), bearer('trial-b'))
    assert.deepEqual([down.code, down.message], [14, 'the metrics were not stored, report them again: database away'])
    const unknown = await call(direct, 'GetObservationLog', get('trial-z'), bearer('trial-z'))
    assert.deepEqual([unknown.code, unknown.message], [5, 'there is no trial named trial-z'])
  })

  test('other methods are UNIMPLEMENTED; a request that is not gRPC is refused at the HTTP level', async () => {
    assert.equal((await call(direct, 'GetSuggestions', new Uint8Array(), bearer('trial-a'))).code, 12)
    assert.equal((await call(direct, 'DeleteObservationLog', get('trial-a'), bearer('trial-a'))).code, 12)
    const garbage = await call(direct, 'ReportObservationLog', Buffer.from('0a05ab', 'hex'), bearer('trial-a'))
    assert.equal(garbage.code, 3)
    assert.match(garbage.message, /not a valid protobuf message: truncated/)
    const json = await call(direct, 'ReportObservationLog', new Uint8Array(), { 'content-type': 'application/json' })
    assert.deepEqual([json.httpStatus, json.code], [415, undefined])
    const http1 = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'))
      let text = ''
      socket.on('data', (c: Buffer) => (text += c.toString()))
      socket.on('close', () => resolve(text))
    })
    assert.match(http1, /^HTTP\/1\.1 400 Bad Request[\s\S]*DBManager gRPC API/)
  })

  test('CONNECT katib-db-manager.kubeflow:6789 with the trial\'s proxy credentials: calls on the tunnel speak for that trial only', async () => {
    const refused = await connectThrough(server.port, 'katib-db-manager.kubeflow:6789')
    assert.equal(refused.status, 407)
    refused.socket.destroy()
    const forged = await connectThrough(server.port, 'katib-db-manager.kubeflow:6789', `trial-b:${tokens.tokenFor('trial-a')}`)
    assert.equal(forged.status, 407)
    forged.socket.destroy()

    // The credentials are those of the grpc_proxy URL the trial is given.
    const proxy = new URL(server.envFor('trial-b').grpc_proxy!)
    assert.equal(`${proxy.hostname}:${proxy.port}`, server.address)
    const tunnel = await connectThrough(server.port, 'katib-db-manager.kubeflow:6789', `${proxy.username}:${proxy.password}`)
    assert.equal(tunnel.status, 200)
    const session = h2connect('http://katib-db-manager.kubeflow:6789', { createConnection: () => tunnel.tunnel })
    try {
      const own = await call(session, 'ReportObservationLog', report('trial-b', [{ timeStamp: '', name: 'loss', value: '2' }]))
      assert.equal(own.code, 0, own.message)
      const other = await call(session, 'ReportObservationLog', report('trial-a', [{ timeStamp: '', name: 'loss', value: '-1' }]))
      assert.deepEqual([other.code, other.message], [7, "trial trial-b may report and read only its own metrics, not trial trial-a's"])
      assert.equal((await call(session, 'GetObservationLog', get('trial-a'))).code, 7)
    } finally {
      session.close()
    }
    assert.deepEqual(stored.get('trial-b')!.map((p) => p.value), [2])
    assert.ok(!stored.get('trial-a')!.some((p) => p.value === -1))
  })

  test('CONNECT to another address is tunnelled on for a trial (its other gRPC services), refused without credentials', async () => {
    const port = (echo.address() as { port: number }).port
    const anonymous = await connectThrough(server.port, `127.0.0.1:${port}`)
    assert.equal(anonymous.status, 407)
    anonymous.socket.destroy()
    const proxy = new URL(server.envFor('trial-a').grpc_proxy!)
    const tunnel = await connectThrough(server.port, `127.0.0.1:${port}`, `${proxy.username}:${proxy.password}`)
    assert.equal(tunnel.status, 200)
    const echoed = await new Promise<string>((resolve) => {
      tunnel.tunnel.once('data', (c: Buffer) => resolve(c.toString()))
      tunnel.tunnel.write('ping')
    })
    tunnel.socket.destroy()
    assert.equal(echoed, 'ping')

    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const closedPort = (closed.address() as { port: number }).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const unreachable = await connectThrough(server.port, `127.0.0.1:${closedPort}`, `${proxy.username}:${proxy.password}`)
    unreachable.socket.destroy()
    assert.equal(unreachable.status, 502)
    const malformed = await connectThrough(server.port, 'no-port-here', `${proxy.username}:${proxy.password}`)
    malformed.socket.destroy()
    assert.equal(malformed.status, 400)
  })
})

describe("Katib's DBManager gRPC server for pods on a cluster (PushHub with --katib-grpc-port)", () => {
  test('no tunnels to other hosts; the advertised Service address is served in place; nothing before the tokens are known', async () => {
    let tokens: ReturnType<typeof pushTokens> | undefined
    const reported: string[] = []
    const server = await startKatibDbManager(
      { report: async (trialName, values) => void reported.push(...values.map((v) => `${trialName}:${v.name}=${v.value}`)), observations: async () => [] },
      { tokens: () => tokens, advertised: (port) => `tunewell.tunewell.svc:${port}`, tunnel: false },
    )
    try {
      assert.equal(server.advertised, `tunewell.tunewell.svc:${server.port}`)
      assert.throws(() => server.envFor('trial-c'), /not known yet/)
      const early = await connectThrough(server.port, 'katib-db-manager.kubeflow:6789', 'trial-c:whatever')
      early.socket.destroy()
      assert.equal(early.status, 503)
      const session = h2connect(`http://${server.address}`)
      try {
        const unavailable = await call(session, 'ReportObservationLog', report('trial-c', [{ timeStamp: '', name: 'loss', value: '1' }]), { authorization: 'Bearer x' })
        assert.deepEqual([unavailable.code, unavailable.message], [14, 'the controller is starting; call again'])
      } finally {
        session.close()
      }

      tokens = pushTokens()
      const env = server.envFor('trial-c')
      assert.equal(env.grpc_proxy, `http://trial-c:${tokens.tokenFor('trial-c')}@tunewell.tunewell.svc:${server.port}`)
      assert.equal(env.TUNEWELL_KATIB_DB_MANAGER_ADDRESS, `tunewell.tunewell.svc:${server.port}`)
      const credentials = `trial-c:${tokens.tokenFor('trial-c')}`
      // A client that names the advertised address goes through its proxy, which is that address too.
      for (const target of [`tunewell.tunewell.svc:${server.port}`, 'katib-db-manager.kubeflow:6789']) {
        const tunnel = await connectThrough(server.port, target, credentials)
        assert.equal(tunnel.status, 200, target)
        const session = h2connect(`http://${target}`, { createConnection: () => tunnel.tunnel })
        try {
          const answer = await call(session, 'ReportObservationLog', report('trial-c', [{ timeStamp: '', name: 'loss', value: '3' }]))
          assert.equal(answer.code, 0, answer.message)
        } finally {
          await new Promise<void>((resolve) => session.close(() => resolve()))
        }
      }
      assert.deepEqual(reported, ['trial-c:loss=3', 'trial-c:loss=3'])
      // The server's pod would lend its network position (its loopback, what network policies let only it reach).
      const elsewhere = await connectThrough(server.port, `127.0.0.1:${server.port + 1}`, credentials)
      elsewhere.socket.destroy()
      assert.equal(elsewhere.status, 403)
      assert.match(elsewhere.text, /HTTP\/1\.1 403/)
      const metadata = await connectThrough(server.port, '169.254.169.254:80', credentials)
      metadata.socket.destroy()
      assert.equal(metadata.status, 403)
    } finally {
      await server.close()
    }
  })
})
