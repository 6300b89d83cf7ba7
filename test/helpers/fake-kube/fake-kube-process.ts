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
  close(): Promise<void>
}

/**
 * Starts the fake in a child process (serve.ts): the same server, without the scripting hooks
 * (options only), so what the test process measures is its own.
 */
export async function startFakeKubeProcess(options: FakeKubeOptions = {}): Promise<FakeKubeProcess> {
  const entry = fileURLToPath(new URL('./serve.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', entry, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
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
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
