import {createServer, connect, type Socket} from 'node:net'
import {Writable} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {coalesceWrites} from '../../../src/transport/coalesced-writes.js'

/** A stream that records each write it is asked to make: one entry a write, the chunks it carried. */
function recorder() {
  const calls: string[][] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      calls.push([chunk.toString()])
      done()
    },
    writev(chunks, done) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()))
      done()
    },
  })
  return {stream, calls}
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('coalesceWrites', () => {
  it('sends what is written in one tick as one write, in order, and each later tick on its own', async () => {
    const {stream, calls} = recorder()
    coalesceWrites(stream)
    stream.write('len')
    stream.write('ciphertext')
    stream.write('tag')
    expect(calls).toEqual([])
    await tick()
    expect(calls).toEqual([['len', 'ciphertext', 'tag']])
    stream.write('next')
    await tick()
    stream.write('alone')
    await tick()
    expect(calls).toEqual([['len', 'ciphertext', 'tag'], ['next'], ['alone']])
  })

  it('without it, the same writes are three', async () => {
    const {stream, calls} = recorder()
    stream.write('len')
    stream.write('ciphertext')
    stream.write('tag')
    await tick()
    expect(calls.length).toBeGreaterThan(1)
    expect(calls.flat()).toEqual(['len', 'ciphertext', 'tag'])
  })

  it('keeps the bytes and their order on a real TCP socket, with callbacks and backpressure as before', async () => {
    const received: Buffer[] = []
    let ended!: () => void
    const allReceived = new Promise<void>((resolve) => (ended = resolve))
    const server = createServer((s: Socket) => s.on('data', (d) => received.push(d)).on('end', () => ended()))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as {port: number}).port
    const socket = coalesceWrites(connect({host: '127.0.0.1', port}))
    socket.setNoDelay(true)
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    const big = Buffer.alloc(3 << 20, 7)
    let written = 0
    socket.write('a', () => written++)
    socket.write(big, () => written++)
    socket.write('z', () => written++)
    socket.end()
    await allReceived
    const all = Buffer.concat(received)
    expect(written).toBe(3)
    expect(all.length).toBe(big.length + 2)
    expect(all.subarray(0, 1).toString()).toBe('a')
    expect(all.subarray(-1).toString()).toBe('z')
    server.close()
  })
})
