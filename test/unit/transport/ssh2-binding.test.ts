import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

const require = createRequire(import.meta.url)

describe("ssh2's crypto binding", () => {
  it('is built at install (package.json allowScripts) and loaded, so each SSH packet is sealed and opened in C++', () => {
    // Without it ssh2 falls back to a new Node cipher object a packet: the same bytes on the wire, but ~10 ms more
    // of the controller's CPU a host in a sweep of real targets (npm run bench:sweep reports which one ran).
    const crypto = require('ssh2/lib/protocol/crypto.js') as {bindingAvailable: boolean}
    expect(crypto.bindingAvailable).toBe(true)
  })
})
