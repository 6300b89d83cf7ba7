import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { keepConnectionsAlive } from '../../controller/kubernetes/kept-alive-agents.ts'

/** A server answering every request with an empty NamespaceList, counting the connections it accepted. */
async function namespaceServer(): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }))
  })
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections }
}

function kubeConfigFor(url: string, token: string): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  })
  return kc
}

test('requests through one KubeConfig share a kept-alive connection; client-node alone opens one per request', async () => {
  const { server, url, connections } = await namespaceServer()
  try {
    const plain = kubeConfigFor(url, 't').makeApiClient(CoreV1Api)
    for (let i = 0; i < 3; i++) await plain.listNamespace()
    assert.equal(connections(), 3, 'without it, a connection per request (what keepConnectionsAlive exists for)')

    const kept = keepConnectionsAlive(kubeConfigFor(url, 't'))
    assert.equal(keepConnectionsAlive(kept), kept, 'applying it twice changes nothing')
    const api = kept.makeApiClient(CoreV1Api)
    for (let i = 0; i < 3; i++) await api.listNamespace()
    await Promise.all([api.listNamespace(), api.listNamespace()])
    // Three one after another on one connection; the two at once need a second.
    assert.equal(connections(), 3 + 2)
  } finally {
    server.closeAllConnections()
    server.close()
  }
})

test('a plain-http server without skipTLSVerify is still refused, as client-node refuses it', async () => {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: false }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  })
  await assert.rejects(keepConnectionsAlive(kc).makeApiClient(CoreV1Api).listNamespace(), /HTTP protocol is not allowed/)
})
