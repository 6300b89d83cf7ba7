import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface BenchServer {
  readonly url: string
  stop(): Promise<void>
}

/** Starts bench-server.ts as a child process (with the dashboard when asked) and resolves its URL once it listens. */
export async function startBenchServer(databaseUrl: string, schema: string, options: { readonly dashboard?: boolean } = {}): Promise<BenchServer> {
  const entry = fileURLToPath(new URL('./bench-server.ts', import.meta.url))
  // BENCH_SERVER_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=prof`) profiles the server alone.
  const flags = process.env.BENCH_SERVER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []
  const args = [...flags, '--import', 'tsx', entry, databaseUrl, schema, ...(options.dashboard ? ['dashboard'] : [])]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      out += chunk
      const match = /listening (\S+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the benchmark server exited with ${code} before listening`)))
  })
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}
