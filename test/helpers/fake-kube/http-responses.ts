import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KubeObject } from './kube-object.ts'
import { badRequest } from './status.ts'

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

export function sendTable(res: ServerResponse, table: Record<string, unknown>): void {
  res.writeHead(200, { 'content-type': 'application/json;as=Table;v=v1;g=meta.k8s.io' })
  res.end(JSON.stringify(table))
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export function parseJson(text: string): KubeObject {
  try {
    return JSON.parse(text) as KubeObject
  } catch (error) {
    throw badRequest(`the body of the request was in an unknown format: ${(error as Error).message}`)
  }
}

export function intParam(value: string | null): number | undefined {
  if (value === null || value === '') return undefined
  const n = Number(value)
  if (!Number.isInteger(n)) throw badRequest(`invalid integer parameter: ${value}`)
  return n
}
