import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { selfSignedCertificate } from './self-signed-certificate.ts'

export interface TlsProxy {
  /** https://127.0.0.1:PORT */
  readonly url: string
  /** PEM file of the self-signed certificate, the CA a client must trust. */
  readonly ca: string
  close(): Promise<void>
}

/**
 * An https reverse proxy on loopback in front of `upstream` (an http server), with a fresh
 * self-signed certificate for 127.0.0.1: what docs/kubectl.md tells users to put in front of a
 * token server, since kubectl sends a token to https servers only. Streams both ways (watches).
 */
export async function startTlsProxy(upstream: { readonly url: string }): Promise<TlsProxy> {
  const { cert, key } = selfSignedCertificate()
  const target = new URL(upstream.url)
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const forward = httpRequest({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.once('error', () => res.destroy())
    res.once('close', () => forward.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    ca: cert,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
