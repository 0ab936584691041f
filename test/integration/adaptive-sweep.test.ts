import net from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {LimitChange} from '../../src/collect/adaptive-limit.js'
import {sweep, type SweepOptions} from '../../src/collect/sweep.js'
import type {HostSpec} from '../../src/hosts/model.js'
import {SshLab, TEST_USER, type Sshd} from '../support/sshd.js'

let lab: SshLab
let server: Sshd

beforeAll(async () => {
  lab = new SshLab()
  server = await lab.start('adaptive')
  lab.trust(server)
})

afterAll(async () => {
  await lab?.cleanup()
})

const host = (name: string): HostSpec => ({
  name,
  address: '127.0.0.1',
  port: server.port,
  user: TEST_USER,
  identityFiles: [lab.clientKey],
  knownHostsFiles: [lab.knownHosts],
  sudo: false,
  transport: 'ssh',
  groups: [],
  tags: [],
  source: {file: 'test', line: 1, column: 1},
})

/** Blocks this process's event loop for real: the controller's one thread busy, as a flood of handshakes and output would keep it. */
function block(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // burning
  }
}

/**
 * A TCP relay to the server in this process; the first time the server speaks on a connection (its SSH banner),
 * `onBanner` runs before it is passed on: the client's handshake is then under way, its timeout armed.
 */
async function relay(port: number, onBanner: (connection: number) => void): Promise<{port: number; close: () => Promise<void>}> {
  const sockets = new Set<net.Socket>()
  let count = 0
  const server = net.createServer((client) => {
    const n = ++count
    const upstream = net.connect(port, '127.0.0.1')
    let first = true
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => undefined)
      s.on('close', () => (client.destroy(), upstream.destroy()))
    }
    upstream.on('data', (data) => {
      if (first) onBanner(n)
      first = false
      client.write(data)
    })
    client.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  }
}

/**
 * Three hosts on a 1 s connect timeout; host a goes through a relay that, when the server's banner comes on the
 * first connection, blocks the event loop for 1.5 s. The server answered in time, but the handshake's timeout is
 * a timer, and timers run before the answer waiting behind them is read: a timeout the controller caused itself.
 */
async function saturatedSweep(extra: Partial<SweepOptions>) {
  const os = (await import('../../inventory/index.js')).probes.filter((p) => p.id === 'os')
  const through = await relay(server.port, (n) => n === 1 && block(1500))
  lab.trust(server, server.hostKeyPub, `[127.0.0.1]:${through.port}`)
  const limits: LimitChange[] = []
  const retried: string[] = []
  try {
    const results = await sweep([{...host('a'), port: through.port}, host('b'), host('c')], {
      concurrency: 3,
      connectTimeoutS: 1,
      collect: {probes: os},
      onLimit: (c) => limits.push(c),
      onHostRetry: (h) => retried.push(h.name),
      ...extra,
    })
    return {results, limits, retried}
  } finally {
    await through.close()
  }
}

describe('adaptive sweep', () => {
  it('without adaptation, a saturated controller loses hosts to timeouts it caused itself', async () => {
    const {results, limits, retried} = await saturatedSweep({adaptive: false})
    expect(results.find((r) => r.host.name === 'a')).toMatchObject({status: 'timeout', reason: expect.stringMatching(/did not complete the SSH handshake in time/)})
    expect(limits).toEqual([])
    expect(retried).toEqual([])
  }, 30_000)

  it('cuts the limit, and collects again, at the lower limit once the saturation passed, each host it timed out', async () => {
    const t0 = performance.now()
    const {results, limits, retried} = await saturatedSweep({})
    // every host ends collected: those that timed out were retried and their second outcome is theirs
    expect(results.map((r) => [r.host.name, r.status])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
      ['c', 'ok'],
    ])
    expect(retried).toContain('a')
    const a = results.find((r) => r.host.name === 'a')!
    expect(a.retried).toMatch(/^the connection timed out while the sweep was saturated \(event loop \d+\.\d s late\); collected again with at most 1 host at once$/)
    for (const r of results) expect(r.retried !== undefined).toBe(retried.includes(r.host.name))
    // the saturation cut the limit from 3 to 1
    expect(limits[0]).toEqual({from: 3, to: 1, reason: expect.stringMatching(/^event loop \d+\.\d s late$/)})
    expect(performance.now() - t0).toBeLessThan(20_000)
  }, 30_000)
})
