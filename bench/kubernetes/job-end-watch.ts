import { Watch, type KubeConfig } from '@kubernetes/client-node'

/**
 * A watch of its own on the namespace's Jobs, beside the controller's: when each Job (by name,
 * the trial's) was first seen finished, a Complete or Failed condition True (performance.now()).
 * The start of the watch-to-database lag: the workload's end as a client of the API server sees
 * it, independent of the executor (its watch, its log reads, its delete).
 */
export async function watchJobEnds(kubeConfig: KubeConfig, namespace: string): Promise<{ readonly ends: Map<string, number>; stop(): void }> {
  const ends = new Map<string, number>()
  let stopped = false
  let abort: AbortController | undefined
  const watch = new Watch(kubeConfig)
  const start = async (): Promise<void> => {
    if (stopped) return
    abort = await watch.watch(`/apis/batch/v1/namespaces/${namespace}/jobs`, {}, (_type, job) => {
      const name = job?.metadata?.name
      if (typeof name !== 'string' || ends.has(name)) return
      const conditions = (job?.status?.conditions ?? []) as { type?: string; status?: string }[]
      if (conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) ends.set(name, performance.now())
    }, () => void start().catch(() => {}))
  }
  await start()
  return { ends, stop: () => { stopped = true; abort?.abort() } }
}
