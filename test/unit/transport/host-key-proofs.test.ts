import {Duplex} from 'node:stream'

import ssh2 from 'ssh2'
import {describe, expect, it} from 'vitest'

import {skipHostKeyProofs} from '../../../src/transport/host-key-proofs.js'

describe('skipHostKeyProofs', () => {
  it("wraps the handler a connecting ssh2 client installs: the host key announcement passes, every other request reaches ssh2", () => {
    const forwarded: string[] = []
    const replies: string[] = []
    const protocol = {requestSuccess: () => replies.push('success')}
    const client = {_protocol: {_handlers: {GLOBAL_REQUEST: (_p: unknown, name: string) => forwarded.push(name)}}}
    expect(skipHostKeyProofs(client as never)).toBe(true)
    const handle = client._protocol._handlers.GLOBAL_REQUEST as (p: unknown, name: string, wantReply: boolean, data: unknown) => void
    handle(protocol, 'hostkeys-00@openssh.com', false, [])
    handle(protocol, 'keepalive@openssh.com', true, undefined)
    handle(protocol, 'hostkeys-00@openssh.com', true, [])
    expect(forwarded).toEqual(['keepalive@openssh.com'])
    expect(replies).toEqual(['success'])
  })

  it('leaves a client it does not recognise as it is, and says so', () => {
    expect(skipHostKeyProofs(null)).toBe(false)
    expect(skipHostKeyProofs({} as never)).toBe(false)
    expect(skipHostKeyProofs({_protocol: {_handlers: {}}} as never)).toBe(false)
  })

  it("finds the handler in this ssh2 once its connect() has started (before anything is read)", () => {
    const client = new ssh2.Client()
    client.on('error', () => {})
    const sock = new Duplex({
      read() {},
      write(_chunk, _encoding, done) {
        done()
      },
    })
    client.connect({sock: sock as never, username: 'nobody', hostVerifier: () => true})
    try {
      expect(skipHostKeyProofs(client)).toBe(true)
    } finally {
      client.end()
      sock.destroy()
    }
  })
})
