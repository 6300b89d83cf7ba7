import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { KubeConfig } from '@kubernetes/client-node'
import type { FakeKubeOptions } from './index.ts'

export interface FakeKubeProcess {
  readonly url: string
  readonly kubeconfigPath: string
  readonly namespace: string
  readonly pid: number
  kubeConfig(): KubeConfig
  /** Requests served since the last call, by '<verb> <resource>' (the fake's records, cleared). */
  requestCounts(): Promise<Record<string, number>>
  close(): Promise<void>
}

/**
 * Starts the fake in a child process (serve.ts): the same server, without the scripting hooks
 * (options only), so what the test process measures is its own.
 */
export async function startFakeKubeProcess(options: FakeKubeOptions = {}): Promise<FakeKubeProcess> {
  // Compiled to JavaScript (bench:kubernetes runs the controller as the package ships it), the
  // server beside this file is compiled too and needs no tsx.
  const compiled = import.meta.url.endsWith('.js')
  const entry = fileURLToPath(new URL(compiled ? './serve.js' : './serve.ts', import.meta.url))
  const child = spawn(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), entry, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const lines = createInterface({ input: child.stdout! })
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`fake-kube process exited with ${code} before serving`)))
  })
  const ready = JSON.parse(first) as { url: string; kubeconfigPath: string; namespace: string }
  return {
    ...ready,
    pid: child.pid!,
    kubeConfig() {
      const kc = new KubeConfig()
      kc.loadFromFile(ready.kubeconfigPath)
      return kc
    },
    requestCounts() {
      const answer = new Promise<Record<string, number>>((resolve) => lines.once('line', (line) => resolve((JSON.parse(line) as { requests: Record<string, number> }).requests)))
      child.kill('SIGUSR2')
      return answer
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
