import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {sweepHost} from '../../src/collect/sweep.js'
import {loadInventory} from '../../src/hosts/load-inventory.js'
import {SshTransport, type HostKeyVerifier} from '../../src/transport/ssh-transport.js'
import {SshLab, TEST_USER, type Sshd} from '../support/sshd.js'

let lab: SshLab
let jump: Sshd
let inner: Sshd
let work: string
const SUDOERS = '/etc/sudoers.d/hatang-test'

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-jump-'))
  ;[jump, inner] = await Promise.all([lab.start('jump'), lab.start('inner')])
  lab.trust(jump)
  lab.trust(inner)
})

afterAll(async () => {
  rmSync(SUDOERS, {force: true})
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('jump hosts (ProxyJump)', () => {
  it('reaches a host through a jump host, verifying both host keys', async () => {
    const seen: number[] = []
    const keys = new Map([jump, inner].map((s) => [s.port, s.hostKeyPub.split(' ')[1]!]))
    const verify: HostKeyVerifier = (_h, port, key) => {
      seen.push(port)
      return keys.get(port) === key.blob.toString('base64') ? {ok: true} : {ok: false, kind: 'host-key-unknown', message: 'unknown'}
    }
    const hop = {host: '127.0.0.1', port: jump.port, user: TEST_USER, identityFiles: [lab.clientKey]}
    const t = await SshTransport.connect({...hop, port: inner.port, jump: [hop]}, {verifyHostKey: verify})
    try {
      expect((await t.exec('echo "$SSH_CONNECTION"')).stdout).toMatch(new RegExp(` ${inner.port}\n$`))
      expect(seen).toEqual([jump.port, inner.port])
    } finally {
      await t.close()
    }
  })

  it('refuses the target when the jump host key is unknown, before going further', async () => {
    const verify: HostKeyVerifier = (_h, port) => (port === jump.port ? {ok: false, kind: 'host-key-unknown', message: 'jump unknown'} : {ok: true})
    const hop = {host: '127.0.0.1', port: jump.port, user: TEST_USER, identityFiles: [lab.clientKey]}
    await expect(SshTransport.connect({...hop, port: inner.port, jump: [hop]}, {verifyHostKey: verify})).rejects.toMatchObject({kind: 'host-key-unknown'})
  })

  it('follows a proxyJump alias of the hosts file', async () => {
    const file = path.join(work, 'hosts.yaml')
    writeFileSync(
      file,
      [
        ...lab.hostsDefaults(),
        'hosts:',
        '  bastion:',
        '    address: 127.0.0.1',
        `    port: ${jump.port}`,
        '  behind:',
        '    address: 127.0.0.1',
        `    port: ${inner.port}`,
        '    proxyJump: bastion',
        '',
      ].join('\n'),
    )
    const host = loadInventory(file, {sshConfig: null}).hosts.find((h) => h.name === 'behind')!
    expect(host.proxyJump?.[0]).toMatchObject({host: '127.0.0.1', port: jump.port})
    const outcome = await sweepHost(host, {collect: {probes: (await import('../../inventory/index.js')).probes.filter((p) => p.id === 'os')}})
    expect(outcome.status, outcome.reason).toBe('ok')
  })
})

/** A lab host reached as the test user, with sudo for the privileged probes. */
const sudoHost = (name: string, port: number) => ({
  name,
  address: '127.0.0.1',
  port,
  user: TEST_USER,
  identityFiles: [lab.clientKey],
  knownHostsFiles: [lab.knownHosts],
  sudo: true,
  transport: 'ssh' as const,
  groups: [],
  tags: [],
  source: {file: 'test', line: 1, column: 1},
})

describe('sudo -n for privileged probes', () => {
  const host = () => sudoHost('inner', inner.port)

  it('collects without privileges, and says why, when sudo wants a password', async () => {
    rmSync(SUDOERS, {force: true})
    const outcome = await sweepHost(host(), {})
    expect(outcome.status).toBe('ok')
    expect(outcome.snapshot.meta.privileged).toBe(false)
    expect(outcome.reason).toMatch(/sudo refused \(.*password.*\): collected without privileges/)
    expect(outcome.snapshot.sections.accounts.reason).toMatch(/needs root/)
  })

  it('runs the probes as root when sudo -n is allowed, and never prompts', async () => {
    writeFileSync(SUDOERS, `${TEST_USER} ALL=(root) NOPASSWD: ALL\n`, {mode: 0o440})
    expect(existsSync(SUDOERS)).toBe(true)
    const outcome = await sweepHost(host(), {})
    expect(outcome.status, outcome.reason).toBe('ok')
    expect(outcome.snapshot.meta.privileged).toBe(true)
    expect(outcome.snapshot.meta.uid).toBe(0)
    expect(outcome.snapshot.sections.accounts.status).toBe('ok')
    // /etc/shadow was read through sudo, and no hash came back
    expect(JSON.stringify(outcome.snapshot)).not.toMatch(/\$(y|6|5|1|2[aby]?)\$/)
    expect(readFileSync(SUDOERS, 'utf8')).toContain(TEST_USER)
  })
})

describe('sshd -T of the daemon that accepted the session, through sudo', () => {
  it('passes the daemon’s -f and -o arguments to sshd -T: the effective values, with the daemon named', async () => {
    const daemon = await lab.start('sudo-overrides', {args: ['-o', 'MaxAuthTries=2', '-oX11Forwarding=yes', '-o', 'ClientAliveInterval 77', '-o', 'ListenAddress=127.0.0.2']})
    lab.trust(daemon)
    writeFileSync(SUDOERS, `${TEST_USER} ALL=(root) NOPASSWD: ALL\n`, {mode: 0o440})
    const sshd = (await import('../../inventory/index.js')).probes.filter((p) => p.id === 'sshd')
    const outcome = await sweepHost(sudoHost('overrides', daemon.port), {collect: {probes: sshd}})
    expect(outcome.snapshot.meta.uid).toBe(0)
    const section = outcome.snapshot.sections.sshd
    expect(section.status, section.reason).toBe('ok')
    const d = section.data!
    expect(d.source).toBe('sshd -T')
    expect(d.daemon).toMatchObject({
      pid: Number(readFileSync(path.join(daemon.dir, 'sshd.pid'), 'utf8').trim()),
      source: 'ssh-session',
      uid: 0,
      executable: '/usr/sbin/sshd',
      configFile: path.join(daemon.dir, 'sshd_config'),
    })
    expect(d.configFiles).toEqual([path.join(daemon.dir, 'sshd_config')])
    expect([d.maxAuthTries, d.x11Forwarding, d.clientAliveInterval]).toEqual([2, true, 77])
    expect(d.listenAddresses).toEqual([`127.0.0.2:${daemon.port}`, `127.0.0.1:${daemon.port}`])
    expect(d.ports).toEqual([daemon.port])
  })
})

describe('--accept-new within one sweep', () => {
  it('records a first-seen key once and trusts it for the rest of the sweep', async () => {
    const {sweep} = await import('../../src/collect/sweep.js')
    const first = await lab.start('first-seen')
    const known = path.join(work, 'accept-known_hosts')
    writeFileSync(known, '')
    const spec = (name: string) => ({
      name,
      address: '127.0.0.1',
      port: first.port,
      user: TEST_USER,
      identityFiles: [lab.clientKey],
      knownHostsFiles: [known],
      sudo: false,
      transport: 'ssh' as const,
      groups: [],
      tags: [],
      source: {file: 'test', line: 1, column: 1},
    })
    const os = (await import('../../inventory/index.js')).probes.filter((p) => p.id === 'os')
    // two aliases of one address, one after the other: the second sees the key accepted for the first
    const results = await sweep([spec('alias1'), spec('alias2')], {acceptNew: true, concurrency: 1, collect: {probes: os}})
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok'])
    const lines = readFileSync(known, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`[127.0.0.1]:${first.port} ${first.hostKeyPub}`)
  })
})
