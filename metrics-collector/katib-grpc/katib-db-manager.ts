import { constants as h2, performServerHandshake, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2'
import { connect, createServer, type Socket } from 'node:net'
import type { MetricPoint } from '../../core/metric.ts'
import type { PushedValue } from '../parse-push-body.ts'
import { parseMetricValue } from '../parse-metric-value.ts'
import { TrialNotHereError } from '../push-receiver.ts'
import { pushTokens, type PushTokens } from '../push-tokens.ts'
import { parseRfc3339 } from '../rfc3339.ts'
import { frameMessage, MAX_MESSAGE_BYTES, unaryMessage } from './grpc-frame.ts'
import { encodeGrpcMessage, GrpcCode, GrpcError } from './grpc-status.ts'
import {
  decodeDeleteObservationLogRequest,
  decodeGetObservationLogRequest,
  decodeReportObservationLogRequest,
  encodeGetObservationLogReply,
  type KatibMetricLog,
} from './katib-messages.ts'
import { ProtobufError } from './protobuf-wire.ts'
import { replayedSocket } from './replayed-socket.ts'

/** The environment variable that tells a trial the host:port to dial when it names the address itself. */
export const KATIB_DB_MANAGER_ADDRESS_ENV = 'TUNEWELL_KATIB_DB_MANAGER_ADDRESS'

/** Where the metrics go and come from: the runner's push path and the observation store. */
export interface KatibDbManagerBackend {
  /**
   * Stores values of a trial (Katib's SDK sends no step: the backend numbers them, one past the
   * highest stored per metric, as for an HTTP push); resolves once they are stored. Throws
   * TrialNotHereError when no trial of that name runs, a GrpcError to answer with its code,
   * anything else for UNAVAILABLE (report again).
   */
  report(trialName: string, values: readonly PushedValue[]): Promise<void>
  /** The points stored for a trial; undefined when there is no trial of that name. */
  observations(trialName: string): Promise<readonly MetricPoint[] | undefined>
}

export interface KatibDbManagerOptions {
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string
  /** Default 0: a free port. */
  readonly port?: number
  /**
   * Signs the per-trial credentials; share the push receiver's so that TUNEWELL_REPORT_TOKEN
   * works here too. A function: the tokens once known (until then calls are UNAVAILABLE and
   * CONNECTs 503).
   */
  readonly tokens?: PushTokens | (() => PushTokens | undefined)
  /**
   * `host:port` that trials dial (their grpc_proxy, TUNEWELL_KATIB_DB_MANAGER_ADDRESS) when it
   * is not the address listened on: pods on a cluster reach a Service. Given the port listened
   * on (a free one for port 0). Default the listening address.
   */
  readonly advertised?: (port: number) => string
  /**
   * Whether a trial's CONNECT to any other host is tunnelled on (default true: locally a
   * trial's other gRPC services then keep working). On a cluster this server's pod would lend
   * trials its network position (its loopback, what network policies let only it reach), so
   * there such a CONNECT is refused, saying to list the host in the trial's no_grpc_proxy.
   */
  readonly tunnel?: boolean
}

export interface KatibDbManager {
  /** `host:port` it listens on. */
  readonly address: string
  /** `host:port` trials are told (KatibDbManagerOptions.advertised). */
  readonly advertised: string
  readonly port: number
  /**
   * What one trial is given: `grpc_proxy`, so that the SDK's unchanged dial of
   * katib-db-manager.kubeflow:6789 arrives here carrying the trial's credentials, and the
   * address for a client that dials it directly (with `authorization: Bearer <token>`).
   */
  envFor(trialName: string): Record<string, string>
  close(): Promise<void>
}

const SERVICE = '/api.v1.beta1.DBManager/'
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')
const CONNECT = Buffer.from('CONNECT ', 'latin1')
/** A CONNECT request larger than this is not a gRPC client's. */
const MAX_CONNECT_HEAD = 8 * 1024
/** A connection that has not said what it is within this long is dropped. */
const HANDSHAKE_TIMEOUT_MS = 10_000
/**
 * The names Katib's Service answers to: katib-db-manager in any namespace, as the SDK's default
 * katib-db-manager.kubeflow:6789 or a fuller cluster name.
 */
const DB_MANAGER_HOST = /^katib-db-manager(\.[a-z0-9-]+)*$/i

/**
 * Katib's DBManager gRPC service (api.v1.beta1: ReportObservationLog, GetObservationLog), so that
 * a trial calling the Katib SDK's `report_metrics()` unchanged reports to this controller.
 *
 * One port speaks two things. gRPC over HTTP/2 cleartext, as Katib's db-manager serves it. And
 * HTTP CONNECT, as an HTTP proxy: the trial's environment names this port in `grpc_proxy`, so
 * gRPC's own proxy support sends the SDK's dial of katib-db-manager.kubeflow:6789 (a name that
 * does not resolve off the cluster) here; the proxy URL carries the trial's name and token, which
 * gRPC sends as Proxy-Authorization. Calls on such a tunnel speak for that trial only. A direct
 * connection must send `authorization: Bearer <token>` metadata instead. Katib's own server
 * checks nothing; any process on this machine can reach a loopback port, and a report must come
 * from the trial it is for. A CONNECT to another host (the trial's other gRPC services, now
 * also sent to this proxy) is tunnelled on unchanged, for trials only; on a cluster
 * (`tunnel: false`) it is refused instead.
 *
 * Reports carry no step (Katib's SDK sends none): the backend numbers them, so that run and serve
 * count a trial's gRPC reports and its HTTP pushes with one counter (report-through-receiver.ts).
 */
export async function startKatibDbManager(backend: KatibDbManagerBackend, opts: KatibDbManagerOptions = {}): Promise<KatibDbManager> {
  const given = opts.tokens ?? pushTokens()
  const currentTokens = typeof given === 'function' ? given : () => given
  const sessions = new Set<ServerHttp2Session>()
  const sockets = new Set<Socket>()

  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => socket.destroy())
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const prefix = head.subarray(0, Math.min(head.length, PREFACE.length))
      if (prefix.equals(PREFACE.subarray(0, prefix.length))) {
        if (head.length < PREFACE.length) return
        socket.off('data', onData)
        return startSession(socket, head, undefined)
      }
      const verb = head.subarray(0, Math.min(head.length, CONNECT.length))
      if (verb.equals(CONNECT.subarray(0, verb.length))) {
        const end = head.indexOf('\r\n\r\n')
        if (end < 0) {
          if (head.length > MAX_CONNECT_HEAD) refuse(socket, 431, 'Request Header Fields Too Large', 'the CONNECT request is too large')
          return
        }
        socket.off('data', onData)
        return onConnect(socket, head.subarray(0, end).toString('latin1'), head.subarray(end + 4))
      }
      socket.off('data', onData)
      refuse(socket, 400, 'Bad Request', "this port serves Katib's DBManager gRPC API (HTTP/2 cleartext) and HTTP CONNECT; the REST API is elsewhere")
    }
    socket.on('data', onData)
  })

  function onConnect(socket: Socket, head: string, rest: Buffer): void {
    const [requestLine = '', ...headerLines] = head.split('\r\n')
    const target = /^CONNECT (\S+) HTTP\/1\.[01]$/.exec(requestLine)?.[1]
    const hostPort = target === undefined ? undefined : /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(target)
    if (!hostPort) return refuse(socket, 400, 'Bad Request', 'expected CONNECT host:port HTTP/1.1')
    const host = hostPort[1] ?? hostPort[2]!
    const port = Number(hostPort[3])
    const credentials = headerLines
      .map((line) => /^proxy-authorization:\s*Basic\s+(\S+)\s*$/i.exec(line)?.[1])
      .find((value) => value !== undefined)
    const decoded = credentials === undefined ? undefined : Buffer.from(credentials, 'base64').toString('utf8')
    const colon = decoded?.indexOf(':') ?? -1
    const trialName = decoded !== undefined && colon > 0 ? decodeURIComponentSafe(decoded.slice(0, colon)) : undefined
    const tokens = currentTokens()
    if (!tokens) return refuse(socket, 503, 'Service Unavailable', 'the controller is starting; retry', { 'retry-after': '1' })
    if (trialName === undefined || !tokens.verify(trialName, decoded!.slice(colon + 1))) {
      return refuse(socket, 407, 'Proxy Authentication Required', 'this proxy is for trials: use the grpc_proxy URL (trial name and token) the trial was given', {
        'proxy-authenticate': 'Basic realm="tunewell"',
      })
    }
    // This port itself, dialled by its address (TUNEWELL_KATIB_DB_MANAGER_ADDRESS) while gRPC
    // sends everything through the proxy, is served here too, for the same trial.
    const self = (port === listeningPort && /^(127\.\d+\.\d+\.\d+|localhost|::1)$/i.test(host)) || sameAddress(target!, advertised)
    if (DB_MANAGER_HOST.test(host) || self) {
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n')
      return startSession(socket, rest, trialName)
    }
    if (opts.tunnel === false) {
      return refuse(socket, 403, 'Forbidden', `this proxy serves Katib's DBManager API only, not ${target}: add ${host} to no_grpc_proxy in the trial's environment to dial it directly`)
    }
    // Held until the tunnel is up: what the client sends meanwhile is the upstream's.
    socket.pause()
    let connected = false
    const upstream = connect({ host, port })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.once('error', (error) => {
      if (!connected) refuse(socket, 502, 'Bad Gateway', `cannot reach ${target}: ${error.message}`)
      else socket.destroy()
    })
    upstream.once('connect', () => {
      connected = true
      socket.setTimeout(0)
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n')
      if (rest.length > 0) upstream.write(rest)
      socket.pipe(upstream).pipe(socket)
      socket.once('close', () => upstream.destroy())
      upstream.once('close', () => socket.destroy())
    })
  }

  function startSession(socket: Socket, received: Buffer, tunnelTrial: string | undefined): void {
    socket.setTimeout(0)
    // What was read while telling HTTP/2 from CONNECT is the session's to read first.
    const session = performServerHandshake(received.length > 0 ? replayedSocket(socket, received) : socket)
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
    session.on('error', () => session.destroy())
    session.on('stream', (stream, headers) => {
      stream.on('error', () => undefined)
      serveCall(stream, headers, tunnelTrial).catch((error: unknown) => fail(stream, new GrpcError(GrpcCode.INTERNAL, `internal error: ${(error as Error).message}`)))
    })
  }

  async function serveCall(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, tunnelTrial: string | undefined): Promise<void> {
    const contentType = String(headers['content-type'] ?? '')
    if (headers[':method'] !== 'POST' || !/^application\/grpc(\+proto)?(;.*)?$/.test(contentType)) {
      stream.respond({ ':status': 415, 'content-type': 'text/plain; charset=utf-8' })
      return void stream.end('this port serves gRPC: POST with content-type application/grpc\n')
    }
    const path = String(headers[':path'] ?? '')
    const method = path.startsWith(SERVICE) ? path.slice(SERVICE.length) : undefined
    const body = await readBody(stream)
    if (body === undefined) return fail(stream, new GrpcError(GrpcCode.RESOURCE_EXHAUSTED, `the request is larger than ${MAX_MESSAGE_BYTES} bytes`))
    const authorization = /^Bearer\s+(\S+)\s*$/i.exec(String(headers.authorization ?? ''))?.[1]
    const caller: Caller = { tunnelTrial, bearer: authorization }
    try {
      let reply: Uint8Array
      if (method === 'ReportObservationLog') reply = await report(decodeReportObservationLogRequest(unaryMessage(body)), caller)
      else if (method === 'GetObservationLog') reply = await getLog(decodeGetObservationLogRequest(unaryMessage(body)), caller)
      else if (method === 'DeleteObservationLog') {
        const { trialName } = decodeDeleteObservationLogRequest(unaryMessage(body))
        authorize(caller, trialName)
        throw new GrpcError(GrpcCode.UNIMPLEMENTED, `observation logs are kept while their trial exists; deleting trial ${trialName} (tunewell delete, or its experiment) deletes its log`)
      } else throw new GrpcError(GrpcCode.UNIMPLEMENTED, `unknown method ${path}; served: ${SERVICE}ReportObservationLog, GetObservationLog`)
      if (stream.destroyed) return
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcCode.OK) }))
      stream.end(frameMessage(reply))
    } catch (error) {
      if (error instanceof GrpcError) return fail(stream, error)
      if (error instanceof ProtobufError) return fail(stream, new GrpcError(GrpcCode.INVALID_ARGUMENT, `the request is not a valid protobuf message: ${error.message}`))
      throw error
    }
  }

  function authorize(caller: Caller, trialName: string): void {
    if (trialName === '') throw new GrpcError(GrpcCode.INVALID_ARGUMENT, 'trial_name is empty (the Katib SDK takes it from KATIB_TRIAL_NAME)')
    if (caller.tunnelTrial !== undefined) {
      if (caller.tunnelTrial !== trialName) {
        throw new GrpcError(GrpcCode.PERMISSION_DENIED, `trial ${caller.tunnelTrial} may report and read only its own metrics, not trial ${trialName}'s`)
      }
      return
    }
    if (caller.bearer === undefined) {
      throw new GrpcError(
        GrpcCode.UNAUTHENTICATED,
        'no credentials: call through the grpc_proxy the trial is given (report_metrics() without db_manager_address), or send the metadata authorization: Bearer $TUNEWELL_REPORT_TOKEN',
      )
    }
    const tokens = currentTokens()
    if (!tokens) throw new GrpcError(GrpcCode.UNAVAILABLE, 'the controller is starting; call again')
    if (!tokens.verify(trialName, caller.bearer)) throw new GrpcError(GrpcCode.UNAUTHENTICATED, `the bearer token is not trial ${trialName}'s`)
  }

  async function report(request: ReturnType<typeof decodeReportObservationLogRequest>, caller: Caller): Promise<Uint8Array> {
    const { trialName, metricLogs } = request
    authorize(caller, trialName)
    const now = new Date()
    const values = metricLogs.map((log, i) => {
      const where = `observation_log.metric_logs[${i}]`
      const name = log.name
      if (name === '') throw new GrpcError(GrpcCode.INVALID_ARGUMENT, `${where}.metric.name is empty`)
      if (name.length > 255) throw new GrpcError(GrpcCode.INVALID_ARGUMENT, `${where}.metric.name is longer than 255 characters`)
      const value = parseMetricValue(log.value)
      if (value === undefined) {
        throw new GrpcError(GrpcCode.INVALID_ARGUMENT, `${where}.metric.value ${JSON.stringify(log.value.slice(0, 40))} of metric ${name} is not a number (nor nan, inf, -inf)`)
      }
      // Katib skips a log without a time stamp; it is kept here, at the time it arrived.
      const at = log.timeStamp === '' ? now : parseRfc3339(log.timeStamp)
      if (at === undefined) throw new GrpcError(GrpcCode.INVALID_ARGUMENT, `${where}.time_stamp ${JSON.stringify(log.timeStamp.slice(0, 40))} is not an RFC 3339 time`)
      return { name, value, at }
    })
    if (values.length === 0) return new Uint8Array()
    try {
      await backend.report(trialName, values)
    } catch (error) {
      if (error instanceof GrpcError) throw error
      if (error instanceof TrialNotHereError) throw new GrpcError(GrpcCode.NOT_FOUND, `trial ${trialName} is not running here: ${error.message}`)
      throw new GrpcError(GrpcCode.UNAVAILABLE, `the metrics were not stored, report them again: ${(error as Error).message}`)
    }
    return new Uint8Array()
  }

  async function getLog(request: ReturnType<typeof decodeGetObservationLogRequest>, caller: Caller): Promise<Uint8Array> {
    authorize(caller, request.trialName)
    const time = (text: string, field: string): Date | undefined => {
      if (text === '') return undefined
      const at = parseRfc3339(text)
      if (at === undefined) throw new GrpcError(GrpcCode.INVALID_ARGUMENT, `${field} ${JSON.stringify(text.slice(0, 40))} is not an RFC 3339 time`)
      return at
    }
    const start = time(request.startTime, 'start_time')
    const end = time(request.endTime, 'end_time')
    let points: readonly MetricPoint[] | undefined
    try {
      points = await backend.observations(request.trialName)
    } catch (error) {
      throw new GrpcError(GrpcCode.UNAVAILABLE, `cannot read the trial's metrics: ${(error as Error).message}`)
    }
    if (points === undefined) throw new GrpcError(GrpcCode.NOT_FOUND, `there is no trial named ${request.trialName}`)
    const logs: KatibMetricLog[] = points
      .filter((p) => (request.metricName === '' || p.name === request.metricName) && (!start || p.at >= start) && (!end || p.at <= end))
      // By time, as Katib's database answers; points of one time by metric, then step.
      .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.step - b.step))
      .map((p) => ({ timeStamp: p.at.toISOString(), name: p.name, value: String(p.value) }))
    return encodeGetObservationLogReply(logs)
  }

  const host = opts.host ?? '127.0.0.1'
  let listeningPort = 0
  let advertised = ''
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      server.on('error', () => undefined)
      resolve()
    })
  })
  const port = (server.address() as { port: number }).port
  listeningPort = port
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`
  advertised = opts.advertised?.(port) ?? address
  return {
    address,
    advertised,
    port,
    envFor: (trialName) => {
      const tokens = currentTokens()
      if (!tokens) throw new Error('the trials\' tokens are not known yet (the database has not been read)')
      return {
        grpc_proxy: `http://${encodeURIComponent(trialName)}:${tokens.tokenFor(trialName)}@${advertised}`,
        [KATIB_DB_MANAGER_ADDRESS_ENV]: advertised,
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const session of sessions) session.destroy()
        for (const socket of sockets) socket.destroy()
      }),
  }
}

interface Caller {
  /** The trial whose credentials opened the CONNECT tunnel the call came through. */
  readonly tunnelTrial: string | undefined
  /** The `authorization: Bearer` metadata of a direct call. */
  readonly bearer: string | undefined
}

function fail(stream: ServerHttp2Stream, error: GrpcError): void {
  if (stream.destroyed || stream.closed) return
  if (stream.headersSent) return void stream.close(h2.NGHTTP2_INTERNAL_ERROR)
  // Trailers-only: the status in the one HEADERS frame that ends the stream.
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(error.code), 'grpc-message': encodeGrpcMessage(error.message) },
    { endStream: true },
  )
}

/** The request body, or undefined when it is larger than one message may be. */
function readBody(stream: ServerHttp2Stream): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_MESSAGE_BYTES + 5) {
        stream.removeAllListeners('data')
        stream.resume()
        resolve(undefined)
        return
      }
      chunks.push(chunk)
    })
    stream.once('end', () => resolve(Buffer.concat(chunks)))
    stream.once('close', () => resolve(Buffer.concat(chunks)))
  })
}

function refuse(socket: Socket, status: number, reason: string, message: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  const body = `${message}\n`
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${extra}\r\n${body}`)
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** Whether a CONNECT target names `address` (`host:port`, a name compared without case). */
function sameAddress(target: string, address: string): boolean {
  return address !== '' && target.toLowerCase() === address.toLowerCase()
}
