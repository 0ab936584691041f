/**
 * The index method of pending updates over real SSH: the host sends only the hashes its Release files give for its
 * lists; the controller reads a list from the host once, checks its hash, keeps it in its cache folder, and serves every
 * other host (and the next run) from there. What it finds equals `apt list --upgradable` on the same system.
 */
import {spawnSync} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {updatesProbe} from '../../inventory/updates.js'
import {collectHost} from '../../src/collect/collect-host.js'
import {ContentStore} from '../../src/collect/indexes/content-store.js'
import type {Section} from '../../src/model/section.js'
import type {UpdatesData} from '../../src/model/sections/updates.js'
import {LocalTransport} from '../../src/transport/local-transport.js'
import {SshTransport, type HostKeyVerifier} from '../../src/transport/ssh-transport.js'
import type {CommandTransport, ExecOptions} from '../../src/transport/transport.js'
import {SshLab, TEST_USER, type Sshd} from '../support/sshd.js'

let lab: SshLab
let servers: Sshd[]
const dirs: string[] = []
const known = new Map<number, string>()
const verifier: HostKeyVerifier = (_h, port, key) => (known.get(port) === key.blob.toString('base64') ? {ok: true} : {ok: false, kind: 'host-key-unknown', message: 'unknown'})

beforeAll(async () => {
  lab = new SshLab()
  servers = await Promise.all([lab.start('a'), lab.start('b')])
  for (const s of servers) known.set(s.port, s.hostKeyPub.split(' ')[1]!)
})
afterAll(async () => {
  await lab?.cleanup()
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'hatang-index-'))
  dirs.push(d)
  return d
}

/** A transport that keeps what it was asked to run (to see what the host had to do). */
function recorded(t: CommandTransport): CommandTransport & {commands: string[]; received: {bytes: number}} {
  const commands: string[] = []
  const received = {bytes: 0}
  return Object.assign(Object.create(t) as CommandTransport, {
    commands,
    received,
    exec: async (command: string, options?: ExecOptions) => {
      commands.push(options?.stdin ?? command)
      const r = await t.exec(command, options)
      received.bytes += r.stdout.length
      return r
    },
  })
}

const updatesOf = (s: Awaited<ReturnType<typeof collectHost>>) => (s.sections as unknown as Record<string, Section<UpdatesData>>).updates!

function aptUpgradable(env: NodeJS.ProcessEnv = {}): string[] {
  const apt = spawnSync('apt', ['list', '--upgradable'], {encoding: 'utf8', env: {...process.env, LC_ALL: 'C', ...env}})
  expect(apt.status).toBe(0)
  return apt.stdout
    .split('\n')
    .map((l) => /^([^/\s]+)\/(\S+) (\S+) (\S+) \[upgradable from: ([^\]\s]+)\]$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => `${m[1]} ${m[4]} ${m[5]} -> ${m[3]}${/-security(,|$)/.test(m[2]!) ? ' security' : ''}`)
    .sort()
}
const found = (d: UpdatesData) => d.packages!.map((p) => `${p.name} ${p.architecture} ${p.current} -> ${p.candidate}${p.security ? ' security' : ''}`).sort()

describe('pending updates from the lists\' hashes, the lists read on the controller', () => {
  it('reads each list from one host once; the other host and the next run send only hashes; the answer is apt\'s', async () => {
    const cache = tmp()
    const lists = readdirSync('/var/lib/apt/lists').filter((f) => /_Packages(\.\w+)?$/.test(f))
    expect(lists.length).toBeGreaterThan(0)
    const store = new ContentStore(cache)
    const connect = async (s: Sshd) => recorded(await SshTransport.connect({host: '127.0.0.1', port: s.port, user: TEST_USER, identityFiles: [lab.clientKey]}, {verifyHostKey: verifier}))
    const [a, b] = (await Promise.all(servers.map(connect))) as [Awaited<ReturnType<typeof connect>>, Awaited<ReturnType<typeof connect>>]
    try {
      const first = updatesOf(await collectHost(a, {probes: [updatesProbe], contents: store}))
      expect(first.data?.method).toBe('index')
      expect(store.counts.fetched).toBe(lists.length)
      // the lists themselves went as the host stores them, one request each
      expect(a.commands.filter((c) => c.includes('| base64'))).toHaveLength(lists.length)
      const second = updatesOf(await collectHost(b, {probes: [updatesProbe], contents: store}))
      expect(store.counts.fetched).toBe(lists.length)
      expect(b.commands.some((c) => c.includes('| base64'))).toBe(false)
      // the host sent no list: its whole answer is a small part of what its lists hold as stored
      const stored = lists.reduce((sum, f) => sum + statSync(path.join('/var/lib/apt/lists', f)).size, 0)
      expect(b.received.bytes).toBeLessThan(stored / 20)
      expect(a.received.bytes).toBeGreaterThan(b.received.bytes * 10)
      expect(found(second.data!)).toEqual(found(first.data!))
      expect(found(first.data!)).toEqual(aptUpgradable())
      expect(second.data!.foreign).toEqual(first.data!.foreign)

      // a new controller process: the cache folder serves, the host sends hashes only
      const next = new ContentStore(cache)
      const third = updatesOf(await collectHost(a, {probes: [updatesProbe], contents: next}))
      expect(next.counts).toMatchObject({fetched: 0, fromDisk: lists.length})
      expect(found(third.data!)).toEqual(found(first.data!))
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  }, 120_000)

  it('a host whose list is not what its Release file says gets no count (and no cached copy), with the reason', async () => {
    // a copy of this machine's lists, one of them changed after the Release file was signed
    const dir = tmp()
    mkdirSync(path.join(dir, 'partial'))
    const source = '/var/lib/apt/lists'
    const packages = readdirSync(source).filter((f) => /_Packages(\.\w+)?$/.test(f))
    for (const f of readdirSync(source)) if (f.endsWith('Release')) copyFileSync(path.join(source, f), path.join(dir, f))
    for (const f of packages) {
      const plain = f.replace(/\.(lz4|gz|xz|zst)$/, '')
      const text = spawnSync('sh', ['-c', 'case "$0" in *.lz4) lz4cat "$0";; *.gz) zcat "$0";; *.xz) xzcat "$0";; *.zst) zstdcat "$0";; *) cat "$0";; esac', path.join(source, f)], {maxBuffer: 1 << 28}).stdout
      writeFileSync(path.join(dir, plain), text)
    }
    const victim = packages.map((f) => f.replace(/\.(lz4|gz|xz|zst)$/, ''))[0]!
    writeFileSync(path.join(dir, victim), readFileSync(path.join(dir, victim), 'utf8').replace(/^Version: (.*)$/m, 'Version: 99:$1'))
    const conf = path.join(dir, 'apt.conf')
    writeFileSync(conf, `Dir::State::lists "${dir}/";\n`)
    const before = process.env.APT_CONFIG
    process.env.APT_CONFIG = conf
    try {
      const cache = tmp()
      const section = updatesOf(await collectHost(new LocalTransport(), {probes: [updatesProbe], native: [], contents: new ContentStore(cache)}))
      expect(section.status).toBe('partial')
      expect(section.reason).toContain(`pending updates unknown: the package list ${path.join(dir, victim)} could not be read: ${path.join(dir, victim)} does not match its index`)
      expect(section.data!.pending).toBeUndefined()
      // the lists that were what their Release file says are kept; the changed one is not
      const kept = readdirSync(cache)
      expect(kept).toHaveLength(packages.length - 1)
      for (const n of kept) expect(readFileSync(path.join(cache, n), 'utf8')).not.toContain(' 99:')
    } finally {
      if (before === undefined) delete process.env.APT_CONFIG
      else process.env.APT_CONFIG = before
    }
  }, 120_000)

  it('where a list shows a phased update of an installed package, apt on the host answers (a second round trip), never a guess', async () => {
    const cache = tmp()
    const first = updatesOf(await collectHost(new LocalTransport(), {probes: [updatesProbe], native: [], contents: new ContentStore(cache)}))
    expect(first.data?.method).toBe('index')
    // the controller's copy of a list now says what an Ubuntu list says of a package in phasing: bash, installed here
    const dir = path.join(cache)
    const withBash = readdirSync(dir).find((f) => /^bash [^ ]+ \S+$/m.test(readFileSync(path.join(dir, f), 'utf8')))!
    expect(withBash).toBeDefined()
    const file = path.join(dir, withBash)
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^(bash [^ ]+ \S+)$/m, '$1 phased'))
    const t = recorded(new LocalTransport())
    const section = updatesOf(await collectHost(t, {probes: [updatesProbe], native: [], contents: new ContentStore(cache)}))
    expect(section.data?.method).toBe('apt-list')
    expect(found(section.data!)).toEqual(aptUpgradable())
    expect(section.data!.foreignReason).toMatch(/phased update \(Phased-Update-Percentage\) of bash: apt on the host decides/)
    // the first batch, then the second round trip for apt list --upgradable alone
    expect(t.commands.filter((c) => c.includes('exec apt list --upgradable') && c.includes('#fallback %s'))).toHaveLength(1)
  }, 120_000)
})
