import { Duplex } from 'node:stream'
import type { Socket } from 'node:net'

/**
 * `socket` as a stream that first yields `head`, bytes already read from it. Node's HTTP/2
 * session reads a net.Socket through its native handle, past anything unshift() put back, so
 * bytes read to tell HTTP/2 from CONNECT must reach it through a JavaScript stream instead.
 */
export function replayedSocket(socket: Socket, head: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume()
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback)
    },
    final(callback) {
      socket.end(callback)
    },
    destroy(error, callback) {
      socket.destroy()
      callback(error)
    },
  })
  duplex.push(head)
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause()
  })
  socket.on('end', () => duplex.push(null))
  socket.on('close', () => duplex.destroy())
  socket.on('error', (error) => duplex.destroy(error))
  return duplex
}
