import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSchemaDatabase, type SchemaDatabase } from './schema-database.ts'
import { startServe, type ServeProcess } from './serve-process.ts'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))

/**
 * CI sets TUNEWELL_KUBE_CLIENTS=required (.ci/run): there a missing kubectl or Python client is
 * a failure, since the tests that drive them would otherwise pass by skipping.
 */
export function clientSkip(reason: string): string {
  if (process.env.TUNEWELL_KUBE_CLIENTS === 'required') throw new Error(`TUNEWELL_KUBE_CLIENTS=required, but ${reason}`)
  return reason
}

/** The kubectl these tests drive: KUBECTL, else the one on PATH. */
export const kubectlBin = process.env.KUBECTL?.trim() || 'kubectl'

/**
 * `false` when a kubectl of 1.27 or later is there (server-side field validation and the
 * OpenAPI v3 client validation the issue asks for), else the reason to skip.
 */
export function kubectlSkip(): false | string {
  const result = spawnSync(kubectlBin, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 30_000 })
  if (result.error || result.status !== 0) return clientSkip(`${kubectlBin} does not run (${result.error?.message ?? result.stderr.trim()})`)
  const minor = Number.parseInt((JSON.parse(result.stdout) as { clientVersion: { minor: string } }).clientVersion.minor, 10)
  return minor >= 27 ? false : clientSkip(`${kubectlBin} is 1.${minor}; these tests need 1.27 or later (--validate=strict through the server)`)
}

export interface CommandResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A command that keeps running (kubectl get -w): what it printed so far, and how to stop it. */
export interface RunningCommand {
  readonly output: { stdout: string; stderr: string }
  readonly exited: Promise<number | null>
  stop(): Promise<number | null>
}

/**
 * A `tunewell serve` child on a database of its own (a fresh schema when DATABASE_URL is set:
 * `kubectl get exp -A` and the namespaces list see only this file's objects; else PGlite under its
 * home), and the kubeconfig `tunewell kubeconfig` prints for it, as a user gets them.
 *
 * Without `token` it is the newcomer's `tunewell serve` on loopback, with no token. kubectl sends
 * a kubeconfig's token only over https (client-go applies credentials to https servers alone), so
 * against a token server on plain http only clients that send it anyway (the Python client, curl)
 * get through.
 */
export class KubectlServe {
  readonly dir: string
  readonly token: string | undefined
  readonly kubeconfig: string
  readonly #serve: ServeProcess
  readonly #db: SchemaDatabase | undefined

  private constructor(dir: string, token: string | undefined, kubeconfig: string, serve: ServeProcess, db: SchemaDatabase | undefined) {
    this.dir = dir
    this.token = token
    this.kubeconfig = kubeconfig
    this.#serve = serve
    this.#db = db
  }

  get url(): string {
    return this.#serve.url
  }

  get serveOutput(): { out: string; err: string } {
    return this.#serve.output
  }

  /** What `tunewell kubeconfig` wrote on stderr: its warnings. */
  kubeconfigWarnings = ''

  static async start(options: { readonly token?: boolean } = {}): Promise<KubectlServe> {
    const dir = mkdtempSync(join(tmpdir(), 'tunewell-kubectl-'))
    const token = options.token ? randomBytes(16).toString('hex') : undefined
    const base = process.env.DATABASE_URL?.trim()
    const db = base ? await createSchemaDatabase(base, 'tunewell_kubectl') : undefined
    const env: NodeJS.ProcessEnv = { ...process.env, TUNEWELL_TOKEN: token ?? '', TUNEWELL_ALLOWED_HOSTS: '' }
    if (db) env.DATABASE_URL = db.url
    else delete env.DATABASE_URL
    const serve = await startServe(['--home', dir, '--no-dashboard'], 180_000, env).catch(async (error: unknown) => {
      await db?.drop()
      throw error
    })
    // The newcomer's `tunewell kubeconfig > kc`: server and token found as every server command finds them.
    const printed = spawnSync(process.execPath, [bin, 'kubeconfig'], {
      env: { ...process.env, TUNEWELL_SERVER: serve.url, TUNEWELL_TOKEN: token ?? '' }, encoding: 'utf8', timeout: 60_000,
    })
    const kubeconfig = join(dir, 'kc')
    writeFileSync(kubeconfig, printed.stdout ?? '')
    const started = new KubectlServe(dir, token, kubeconfig, serve, db)
    started.kubeconfigWarnings = printed.stderr ?? ''
    if (printed.status !== 0) {
      await started.stop()
      throw new Error(`tunewell kubeconfig exited with ${printed.status}: ${printed.stderr}`)
    }
    return started
  }

  /** `tunewell kubeconfig ARGS` (with this server's token in TUNEWELL_TOKEN) written to a file of this server's folder. */
  writeKubeconfig(name: string, args: readonly string[]): { readonly path: string; readonly stderr: string } {
    const printed = spawnSync(process.execPath, [bin, 'kubeconfig', ...args], {
      env: { ...process.env, TUNEWELL_SERVER: this.url, TUNEWELL_TOKEN: this.token ?? '' }, encoding: 'utf8', timeout: 60_000,
    })
    if (printed.status !== 0) throw new Error(`tunewell kubeconfig ${args.join(' ')} exited with ${printed.status}: ${printed.stderr}`)
    return { path: this.file(name, printed.stdout), stderr: printed.stderr }
  }

  /** The environment kubectl and the Python client run in: the kubeconfig, and a discovery cache of this server's own (ports are reused). */
  clientEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, KUBECONFIG: this.kubeconfig, KUBECACHEDIR: join(this.dir, 'kube-cache'), ...extra }
  }

  /** kubectl with this server's kubeconfig; resolves once it exits (killed after `timeoutMs`). */
  kubectl(args: readonly string[], options: { readonly input?: string; readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
    return runCommand(kubectlBin, args, this.clientEnv(options.env), options.input, options.timeoutMs ?? 120_000)
  }

  /** kubectl left running (a watch). */
  kubectlRunning(args: readonly string[]): RunningCommand {
    const child = spawn(kubectlBin, args, { env: this.clientEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    const output = { stdout: '', stderr: '' }
    child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
    return {
      output,
      exited,
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
        return exited
      },
    }
  }

  /** A request to the REST API of the same server, with the token. */
  rest(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.token) headers.set('authorization', `Bearer ${this.token}`)
    if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
    return fetch(`${this.url}${path}`, { ...init, headers })
  }

  /** Writes `text` into this server's folder and returns its path. */
  file(name: string, text: string): string {
    const path = join(this.dir, name)
    writeFileSync(path, text)
    return path
  }

  async stop(): Promise<void> {
    try {
      await this.#serve.stop()
    } finally {
      await this.#db?.drop()
    }
  }
}

export function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input: string | undefined, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(input ?? '')
  })
}
