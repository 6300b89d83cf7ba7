import { createHash } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { KubeConfig } from '@kubernetes/client-node'

/** How many distinct agents one KubeConfig keeps (one per cluster and credentials; rotated certificates make new ones). */
const MAX_AGENTS = 4

type AgentOptions = https.AgentOptions
type CreateAgent = (cluster: { server: string; proxyUrl?: string; skipTLSVerify?: boolean } | null, options: AgentOptions) => http.Agent

const kept = new WeakSet<KubeConfig>()

/**
 * Makes the KubeConfig's API clients reuse their connections. client-node 1.4 builds a new
 * agent for every request (KubeConfig.createAgent), so every request opens a connection and,
 * against a real API server, does a whole TLS handshake: at thousands of trials that was a
 * tenth of the controller's CPU against the plain-http fake, more on a cluster. Here requests
 * with the same cluster and credentials share one kept-alive agent.
 *
 * A reused connection the server closed meanwhile fails its request with a reset before any
 * answer; every call to the API server is retried on such a network error (retrying.ts), and a
 * create that did land answers the retry 409, which the executor takes as its own workload.
 * Proxies keep client-node's own agents (a new one per request, as before).
 */
export function keepConnectionsAlive(kubeConfig: KubeConfig): KubeConfig {
  if (kept.has(kubeConfig)) return kubeConfig
  kept.add(kubeConfig)
  const target = kubeConfig as unknown as { createAgent: CreateAgent }
  const original = target.createAgent.bind(kubeConfig)
  const agents = new Map<string, http.Agent>()
  target.createAgent = (cluster, options) => {
    if (!cluster || cluster.proxyUrl) return original(cluster, options)
    const key = keyOf(cluster.server, options)
    const found = agents.get(key)
    if (found) return found
    // Validates as client-node does (plain http only with skipTLSVerify), then is dropped.
    original(cluster, options).destroy()
    const agent = cluster.server.startsWith('http:') ? new http.Agent({ ...options, keepAlive: true }) : new https.Agent({ ...options, keepAlive: true })
    if (agents.size >= MAX_AGENTS) {
      const [oldestKey, oldest] = agents.entries().next().value as [string, http.Agent]
      agents.delete(oldestKey)
      oldest.destroy()
    }
    agents.set(key, agent)
    return agent
  }
  return kubeConfig
}

/** The agent's identity: the server and every option that shapes its connections (key material by digest). */
function keyOf(server: string, options: AgentOptions): string {
  const hash = createHash('sha256').update(server)
  for (const name of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const) {
    const value = options[name]
    hash.update(`\0${name}=`)
    if (value !== undefined) hash.update(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value))
  }
  return hash.digest('base64url')
}
