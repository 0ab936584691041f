import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Snapshot} from '../../src/model/snapshot.js'
import {validateSnapshot} from '../../src/model/validate.js'
import {hatang, sh} from '../support/cli.js'

let server: net.Server
let port = 0
let snapshot: Snapshot
let asNobody: Snapshot
/** TCP ports listening just before the collect: other test files open and close listeners meanwhile. */
let listeningBefore: Set<number>
/** TCP ports that ss saw listening while the collect ran (polled every 20 ms): a listener of another test may live only then. */
let listeningDuring: Set<number>

const portsOf = (ssOutput: string): Set<number> =>
  new Set(
    ssOutput
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(l.trim().split(/\s+/)[3]!.split(':').pop())),
  )
const listeningTcp = (): Set<number> => portsOf(sh('ss -Hltn'))

beforeAll(async () => {
  // a listener of our own, so the listening-ports comparison has something we know is there
  server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as net.AddressInfo).port
  listeningBefore = listeningTcp()
  const polled = path.join(mkdtempSync(path.join(os.tmpdir(), 'hatang-ports-')), 'ss.txt')
  const out = openSync(polled, 'w')
  const poller = spawn('sh', ['-c', 'while :; do ss -Hltn; sleep 0.02; done'], {stdio: ['ignore', out, 'ignore']})
  closeSync(out)
  const r = hatang(['collect', '--json', '--quiet'])
  poller.kill()
  await new Promise((resolve) => poller.once('exit', resolve))
  listeningDuring = portsOf(readFileSync(polled, 'utf8'))
  rmSync(path.dirname(polled), {recursive: true, force: true})
  expect(r.status, r.stderr).toBe(0)
  snapshot = JSON.parse(r.stdout) as Snapshot
  const n = hatang(['collect', '--json', '--quiet'], {asUid: 65534, env: {HOME: '/nonexistent'}})
  expect(n.status, n.stderr).toBe(0)
  asNobody = JSON.parse(n.stdout) as Snapshot
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('hatang collect --json on this machine', () => {
  it('validates against the snapshot schema', () => {
    expect(() => validateSnapshot(snapshot)).not.toThrow()
    expect(snapshot.meta.transport).toBe('local')
    expect(snapshot.meta.privileged).toBe(process.getuid!() === 0)
  })

  it('reads the hostname', () => {
    expect(snapshot.sections.identity.data?.hostname).toBe(sh('hostname').trim())
  })

  it('reads the kernel as uname -r does', () => {
    expect(snapshot.sections.os.data?.kernel).toBe(sh('uname -r').trim())
  })

  it('reads the OS version from /etc/os-release', () => {
    const release = Object.fromEntries(
      readFileSync('/etc/os-release', 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]),
    )
    expect(snapshot.sections.os.data?.versionId).toBe(release.VERSION_ID)
    expect(snapshot.sections.os.data?.distribution).toBe(release.ID)
  })

  it('counts logical CPUs as nproc does', () => {
    expect(snapshot.sections.cpu.data?.threads).toBe(Number(sh('nproc --all').trim()))
  })

  it('reads the memory total from /proc/meminfo to within 1 MiB', () => {
    const kib = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1])
    expect(Math.abs(snapshot.sections.memory.data!.totalBytes - kib * 1024)).toBeLessThanOrEqual(1024 * 1024)
  })

  it('lists as many packages as dpkg-query -W', () => {
    const count = sh('dpkg-query -W').split('\n').filter(Boolean).length
    expect(snapshot.sections.packages.data?.items.filter((p) => p.manager === 'dpkg').length).toBe(count)
  })

  it('lists the listening TCP ports that ss -ltn shows, ours included', () => {
    // the ports listening both before the collect and now were listening while it ran: each must be in the
    // snapshot; and every port in the snapshot was seen by ss before, during or after (tests in parallel come and go)
    const now = listeningTcp()
    const fromSnapshot = new Set(snapshot.sections.ports.data!.listening.filter((p) => p.protocol.startsWith('tcp')).map((p) => p.port))
    expect(fromSnapshot.has(port)).toBe(true)
    const steady = [...now].filter((p) => listeningBefore.has(p))
    expect(steady).toContain(port)
    for (const p of steady) expect(fromSnapshot.has(p), `port ${p}`).toBe(true)
    expect(listeningDuring).toContain(port)
    for (const p of fromSnapshot) expect(now.has(p) || listeningBefore.has(p) || listeningDuring.has(p) || p === port, `port ${p}`).toBe(true)
  })

  it('reads the hardware with the probes on Linux, as on a remote host; --native has systeminformation read it', () => {
    const hardware = ['system', 'cpu', 'memory', 'disks'] as const
    expect(snapshot.meta.native).toBe(false)
    for (const id of hardware) expect(snapshot.sections[id].source, id).toBe('probe')
    const r = hatang(['collect', '--json', '--quiet', '--native', '--sections', hardware.join(',')])
    expect(r.status, r.stderr).toBe(0)
    const native = JSON.parse(r.stdout) as Snapshot
    expect(native.meta.native).toBe(true)
    // each read by systeminformation, or by its probe where systeminformation failed (the section says which)
    expect(hardware.filter((id) => native.sections[id].source === 'native').length).toBeGreaterThan(0)
    expect(native.sections.cpu.source).toBe('native')
    expect((native.sections.cpu.data as {threads?: number} | undefined)?.threads).toBe((snapshot.sections.cpu.data as {threads?: number} | undefined)?.threads)
  })

  it('lists the mounted filesystems that findmnt shows', () => {
    const targets = sh('findmnt -rn -o TARGET')
      .split('\n')
      .filter(Boolean)
      .map((t) => t.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))))
    const mounts = snapshot.sections.filesystems.data!.mounts.map((m) => m.target)
    expect([...new Set(mounts)].sort()).toEqual([...new Set(targets)].sort())
  })
})

describe('hatang collect as a user who is not root', () => {
  it('still works and validates', () => {
    expect(() => validateSnapshot(asNobody)).not.toThrow()
    expect(asNobody.meta.privileged).toBe(false)
    expect(asNobody.meta.uid).toBe(65534)
  })

  it('marks root-only data as needing root, never as empty', () => {
    const needsRoot = Object.entries(asNobody.sections).filter(([, s]) => /needs root/.test(s.reason ?? ''))
    // what only root can read on any Debian (/etc/shadow, sudoers), and on this one: sshd -T, firewall rules
    const has = (tool: string) => sh(`command -v ${tool} || true`).trim() !== ''
    const expected = ['accounts', ...(has('sshd') ? ['sshd'] : []), ...(has('nft') || has('iptables') ? ['firewall'] : [])]
    expect(needsRoot.map(([id]) => id)).toEqual(expect.arrayContaining(expected))
    for (const [id, s] of needsRoot) expect(['partial', 'unavailable'], id).toContain(s.status)
    // as root the same sections are complete
    expect(snapshot.sections.accounts.status).toBe('ok')
  })
})

describe('hatang collect output', () => {
  it('writes the snapshot atomically with -o and leaves no temporary file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-collect-'))
    try {
      const file = path.join(dir, 'sub', 'snap.json')
      const r = hatang(['collect', '--quiet', '--no-native', '-o', file])
      expect(r.status, r.stderr).toBe(0)
      expect(() => validateSnapshot(JSON.parse(readFileSync(file, 'utf8')))).not.toThrow()
      expect(readdirSync(path.dirname(file))).toEqual(['snap.json'])
      expect(r.stdout).toContain(sh('hostname').trim())
      // the summary states the facts in words a person reads
      const packages = sh('dpkg-query -W').split('\n').filter(Boolean).length
      expect(r.stdout).toMatch(new RegExp(`^Software\\s+${packages} packages \\(dpkg`, 'm'))
      expect(r.stdout).toContain(`kernel ${sh('uname -r').trim()}`)
      expect(r.stdout).toMatch(/^\d+ sections: /m)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('fails with exit 5 and writes nothing where it cannot write', () => {
    const r = hatang(['collect', '--quiet', '--no-native', '-o', '/proc/hatang-cannot-write/snap.json'])
    expect(r.status).toBe(5)
    expect(r.stderr).toMatch(/cannot write \/proc\/hatang-cannot-write\/snap.json/)
    expect(existsSync('/proc/hatang-cannot-write')).toBe(false)
  })

  it('respects NO_COLOR and colours only when forced', () => {
    const plain = hatang(['collect', '--no-native', '--quiet'])
    expect(plain.stdout).not.toMatch(/\u001b\[/)
    const forced = hatang(['collect', '--no-native', '--quiet'], {env: {NO_COLOR: '', FORCE_COLOR: '1'}})
    expect(forced.stdout).toMatch(/\u001b\[/)
  })

  it('prints plain timestamped progress lines on stderr without a TTY', () => {
    const r = hatang(['collect', '--no-native', '--json'])
    expect(r.status).toBe(0)
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT\S+Z \S+ \S+ os Operating system — ok/m)
    expect(() => JSON.parse(r.stdout)).not.toThrow()
  })

  it('exits 2 on a usage error', () => {
    const r = hatang(['collect', '--timeout', 'zero'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/timeout/)
  })

  it('has help for the command', () => {
    const r = hatang(['collect', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/--no-native/)
    expect(r.stdout).toMatch(/--json/)
  })
})
