import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url))

export interface ServeProcess {
  readonly url: string
  readonly output: { out: string; err: string }
  readonly pid: number
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>
  /** Sends `signal` (SIGKILL, SIGSTOP, SIGCONT, ...) and returns at once. */
  kill(signal: NodeJS.Signals): void
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>
}

/** `tunewell serve --port 0` as a child process, resolved once it prints the URL it listens on. */
export async function startServe(args: readonly string[], timeoutMs = 180_000, env: NodeJS.ProcessEnv = process.env): Promise<ServeProcess> {
  const output = { out: '', err: '' }
  // DATABASE_URL, when set, is inherited: the server then uses PostgreSQL.
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${timeoutMs} ms\n${output.out}\n${output.err}`)), timeoutMs)
    child.stdout!.on('data', (chunk: Buffer) => {
      output.out += chunk.toString()
      const match = /listening on (https?:\/\/\S+)/.exec(output.out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      output.err += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}\n${output.out}\n${output.err}`))
    })
  }).catch((error: unknown) => {
    child.kill('SIGKILL')
    throw error
  })
  return {
    url,
    output,
    pid: child.pid!,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return exited
    },
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
  }
}
