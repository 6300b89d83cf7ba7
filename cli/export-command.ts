import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { TunewellClient } from '../api/client/tunewell-client.ts'
import type { CommandIo } from './server-io.ts'

export interface ExportOptions {
  readonly format: 'csv' | 'json'
  /** A file to write; none: stdout. */
  readonly output?: string
}

/**
 * `tunewell export NAME`: every trial as CSV or JSON (the API's `trials:export`), to stdout or
 * to a file. A file is written beside its final name and renamed once complete, so a lost
 * connection never leaves half an export where a finished one is expected.
 */
export async function exportCommand(name: string, options: ExportOptions, client: TunewellClient, io: CommandIo): Promise<number> {
  const chunks = client.exportTrials(name, options.format)
  if (options.output === undefined) {
    for await (const chunk of chunks) if (!io.out.write(chunk)) await once(io.out, 'drain')
    return 0
  }
  const target = options.output
  const partial = join(dirname(target), `.${basename(target)}.${process.pid}.partial`)
  // The first chunk before the file: an unknown experiment or an unreachable server creates nothing.
  const iterator = chunks[Symbol.asyncIterator]()
  let next = await iterator.next()
  const file = createWriteStream(partial)
  let bytes = 0
  try {
    await once(file, 'open')
    while (!next.done) {
      bytes += next.value.byteLength
      if (!file.write(next.value)) await once(file, 'drain')
      next = await iterator.next()
    }
    file.end()
    await once(file, 'finish')
    await rename(partial, target)
  } catch (error) {
    file.destroy()
    await rm(partial, { force: true })
    throw error
  }
  io.err.write(`wrote ${target} (${bytes} bytes, ${options.format})\n`)
  return 0
}
