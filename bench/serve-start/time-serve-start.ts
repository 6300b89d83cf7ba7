import { spawn } from 'node:child_process'
import { processTreeCpuMs } from './process-tree-cpu.ts'

/** One start of `tunewell serve`, from the spawn of its process. */
export interface ServeStart {
  /** Until it printed "listening on": the server is bound and its routes are registered. */
  readonly listeningMs: number
  /** Until GET /healthz first answered 200: what a supervisor or a load balancer waits for. */
  readonly healthyMs: number
  /** CPU time of the server and its child processes until healthy (Linux only), less noisy than wall time on a busy machine. */
  readonly cpuMs: number | undefined
}

/**
 * Starts `node <argv> serve --port 0 --home <home>`, times it to listening and to a healthy
 * /healthz, then stops it (SIGTERM, not timed) and waits for it to exit. `env` is the whole
 * environment of the server (the caller leaves out DATABASE_URL for the embedded database).
 */
export async function timeServeStart(argv: readonly string[], home: string, env: NodeJS.ProcessEnv): Promise<ServeStart> {
  const started = performance.now()
  const child = spawn(process.execPath, [...argv, 'serve', '--port', '0', '--home', home], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let out = ''
  let err = ''
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  try {
    const { url, listeningMs } = await new Promise<{ url: string; listeningMs: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not listen within 120 s\n${out}\n${err}`)), 120_000)
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(out)
        if (!match) return
        clearTimeout(timer)
        resolve({ url: match[1]!, listeningMs: performance.now() - started })
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`serve exited with ${code} before listening\n${out}\n${err}`))
      })
    })
    for (;;) {
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false)
      if (ok) {
        const healthyMs = performance.now() - started
        return { listeningMs, healthyMs, cpuMs: processTreeCpuMs(child.pid!) }
      }
      if (performance.now() - started > 120_000) throw new Error(`serve listened but /healthz never answered\n${out}\n${err}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
}
