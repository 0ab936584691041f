import type {Writable} from 'node:stream'

/**
 * Makes what is written to a stream within one tick leave as one write (cork, then uncork on the next tick: the
 * pattern Node's stream documentation gives). ssh2 hands its socket each SSH packet in pieces: with AES-GCM (its
 * first choice) the length, the ciphertext and the tag, three writes. On a socket with no Nagle delay each write
 * became a TCP segment and a system call of its own: three segments where one will do, and on loopback the
 * receiving side's work done inside each call (~9 ms of the controller's CPU a host in a sweep of replayed targets).
 * Nothing waits: what is written leaves at the end of the tick it was written in.
 */
export function coalesceWrites<T extends Writable>(stream: T): T {
  const write = stream.write
  let corked = false
  stream.write = function (this: T, ...args: Parameters<Writable['write']>) {
    if (!corked) {
      corked = true
      stream.cork()
      process.nextTick(() => {
        corked = false
        stream.uncork()
      })
    }
    return write.apply(this, args as never)
  } as T['write']
  return stream
}
