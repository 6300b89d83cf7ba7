import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts'

/**
 * The fake kubelet's native sidecars (init containers with restartPolicy Always), as a kubelet
 * runs them: started first, the regular containers only once the sidecar's startup probe passes;
 * restarted when they fail while the regular containers run; SIGTERMed once those ended; the
 * pod's phase theirs, set once every container ended. And emptyDir: one folder per pod, shared by
 * its containers, not by two pods that mount the same path.
 */

let kube: FakeKube
before(async () => {
  kube = await startFakeKube()
})
after(async () => {
  await kube.close()
})

// First run: count it and fail. Second run: count it, say it is ready, wait for SIGTERM.
const SIDECAR = `const fs = require('fs')
const runs = fs.existsSync('/data/runs') ? Number(fs.readFileSync('/data/runs', 'utf8')) : 0
fs.writeFileSync('/data/runs', String(runs + 1))
if (runs === 0) process.exit(1)
process.on('SIGTERM', () => { console.log('sidecar stopped after ' + fs.readFileSync('/data/main', 'utf8')); process.exit(0) })
fs.writeFileSync('/data/ready', '')
setInterval(() => {}, 1000)`

const MAIN = `const fs = require('fs')
console.log('main started: ready=' + fs.existsSync('/data/ready') + ' sidecar runs=' + fs.readFileSync('/data/runs', 'utf8'))
fs.writeFileSync('/data/main', 'main of ' + process.env.HOSTNAME)
setTimeout(() => process.exit(Number(process.env.EXIT)), 200)`

function pod(name: string, exit: number) {
  return kube.create({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: kube.namespace },
    spec: {
      restartPolicy: 'Never',
      volumes: [{ name: 'shared', emptyDir: {} }],
      initContainers: [{
        name: 'collector', image: 'docker.io/library/node:20', restartPolicy: 'Always',
        command: [process.execPath, '-e', SIDECAR],
        volumeMounts: [{ name: 'shared', mountPath: '/data' }],
        startupProbe: { exec: { command: ['test', '-e', '/data/ready'] }, periodSeconds: 1 },
      }],
      containers: [{
        name: 'main', image: 'docker.io/library/node:20',
        command: [process.execPath, '-e', MAIN],
        env: [{ name: 'EXIT', value: String(exit) }],
        volumeMounts: [{ name: 'shared', mountPath: '/data/' }],
      }],
    },
  })
}

test('a native sidecar starts first, is restarted, is stopped after the main container, and the pod\'s phase is the main container\'s', { timeout: 60_000 }, async () => {
  // Two pods at once, the same paths: each has its own emptyDir (each sidecar's first run fails).
  pod('sidecar-ok', 0)
  pod('sidecar-failing-main', 3)
  for (const [name, phase] of [['sidecar-ok', 'Succeeded'], ['sidecar-failing-main', 'Failed']] as const) {
    const done = await kube.waitFor('pods', kube.namespace, name, (p) => p?.status?.phase === 'Succeeded' || p?.status?.phase === 'Failed', 30_000)
    assert.equal(done?.status.phase, phase, name)
    const sidecar = done!.status.initContainerStatuses.find((s: { name: string }) => s.name === 'collector')
    assert.equal(sidecar.restartCount, 1, `${name}: restarted once after its failure`)
    assert.equal(sidecar.state.terminated.exitCode, 0, `${name}: ended by SIGTERM, which it handled`)
    // When the phase is set, every container has ended: the sidecar's last words are in its log.
    assert.equal(kube.podLog(kube.namespace, name, 'main').trim(), 'main started: ready=true sidecar runs=2')
    assert.equal(kube.podLog(kube.namespace, name, 'collector').trim(), `sidecar stopped after main of ${name}`)
  }
})
