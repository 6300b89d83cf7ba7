import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubernetesExecutor } from '../../controller/kubernetes/kubernetes-executor.ts'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'
import { executorConformance } from './executor-conformance.ts'

/**
 * The Kubernetes executor against the fake API server (test/helpers/fake-kube): real HTTPS, the
 * real client-node, each trial a batch/v1 Job whose container command runs as a local process.
 */

let kube: FakeKube
let home = ''
const executors: KubernetesExecutor[] = []

const newExecutor = () => {
  const executor = new KubernetesExecutor({ kubeConfig: kube.kubeConfig(), retryMs: 50, drainMs: 200, logWaitMs: 10_000, deletionWaitMs: 10_000 })
  executors.push(executor)
  return executor
}

executorConformance('KubernetesExecutor on the fake API server', {
  async setup() {
    kube = await startFakeKube()
    home = mkdtempSync(join(tmpdir(), 'tunewell-conformance-k8s-'))
  },
  async teardown() {
    for (const executor of executors) executor.close()
    await kube.close()
    rmSync(home, { recursive: true, force: true })
  },
  executor: newExecutor,
  restart(previous) {
    // The controller dies: its watches and log streams end, the Jobs run on, unfollowed.
    ;(previous as KubernetesExecutor).close()
    return newExecutor()
  },
  context: () => ({ baseDir: home, runDir: join(home, 'runs'), env: {} }),
  namespace: 'tunewell-test',
  capabilities: {
    // backoffLimit 0: the Job's Failed condition, with the container's exit in its message.
    failure: { reason: 'BackoffLimitExceeded', exitCode: 'message' },
    attach: true,
    cannotStart: 'BackoffLimitExceeded',
  },
})
