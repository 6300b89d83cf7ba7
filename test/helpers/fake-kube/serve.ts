/**
 * The fake as a process of its own, for benchmarks that measure a controller's memory without
 * the fake's: `node --import tsx test/helpers/fake-kube/serve.ts '<FakeKubeOptions as JSON>'`.
 * Prints one JSON line ({ url, kubeconfigPath, namespace }) once it serves; SIGTERM or SIGINT
 * closes it (its trial processes with it).
 */
import { startFakeKube, type FakeKubeOptions } from './index.ts'

const options = (process.argv[2] ? JSON.parse(process.argv[2]) : {}) as FakeKubeOptions
const kube = await startFakeKube(options)
process.stdout.write(`${JSON.stringify({ url: kube.url, kubeconfigPath: kube.kubeconfigPath, namespace: kube.namespace })}\n`)
let closing = false
const stop = () => {
  if (closing) return
  closing = true
  void kube.close().then(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
