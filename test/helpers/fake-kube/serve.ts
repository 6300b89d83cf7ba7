/**
 * The fake as a process of its own, for benchmarks that measure a controller's memory without
 * the fake's: `node --import tsx test/helpers/fake-kube/serve.ts '<FakeKubeOptions as JSON>'`.
 * Prints one JSON line ({ url, kubeconfigPath, namespace }) once it serves; SIGTERM or SIGINT
 * closes it (its trial processes with it). SIGUSR2 prints one more line, { requests: { '<verb>
 * <resource>': count } }, of the requests served since the last one (benchmarks count API calls).
 */
import { startFakeKube, type FakeKubeOptions } from './index.ts'

const options = (process.argv[2] ? JSON.parse(process.argv[2]) : {}) as FakeKubeOptions
const kube = await startFakeKube(options)
process.stdout.write(`${JSON.stringify({ url: kube.url, kubeconfigPath: kube.kubeconfigPath, namespace: kube.namespace })}\n`)
process.on('SIGUSR2', () => {
  const counts: Record<string, number> = {}
  for (const r of kube.requests) {
    const key = `${r.verb} ${r.resource ?? r.path}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  kube.clearRequests()
  process.stdout.write(`${JSON.stringify({ requests: counts })}\n`)
})
let closing = false
const stop = () => {
  if (closing) return
  closing = true
  void kube.close().then(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
