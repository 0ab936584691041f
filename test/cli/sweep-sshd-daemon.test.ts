import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Snapshot} from '../../src/model/snapshot.js'
import {hatang} from '../support/cli.js'
import {SshLab, type Sshd} from '../support/sshd.js'

/**
 * A host whose sshd runs with command-line overrides (`-o`, as seen on real hosts for ListenAddress and MaxStartups):
 * a sweep reports the settings that daemon runs with, read from its own configuration file, not /etc/ssh/sshd_config.
 */
let lab: Sshd
let sshLab: SshLab
let work: string
let snapshot: Snapshot
let listenerPid: number

beforeAll(async () => {
  sshLab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-sshd-daemon-'))
  // the forms sshd accepts: -o K=V, -oK=V, -o "K V"; ListenAddress is cumulative (command line first), the rest single-valued
  lab = await sshLab.start('overrides', {args: ['-o', 'MaxAuthTries=2', '-oX11Forwarding=yes', '-o', 'ClientAliveInterval 77', '-o', 'ListenAddress=127.0.0.2']})
  sshLab.trust(lab)
  // sshd accepts connections a moment before it has written its pid file: wait for the file, not just the port
  const pidFile = path.join(lab.dir, 'sshd.pid')
  for (let i = 0; i < 100 && !/^\d+$/.test(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : ''); i++) await new Promise((r) => setTimeout(r, 50))
  listenerPid = Number(readFileSync(pidFile, 'utf8').trim())
  expect(listenerPid).toBeGreaterThan(1)
  const hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(hostsFile, [...sshLab.hostsDefaults(), 'hosts:', '  web01:', '    address: 127.0.0.1', `    port: ${lab.port}`, ''].join('\n'))
  const out = path.join(work, 'out')
  const r = hatang(['sweep', hostsFile, '-o', out, '--json', '--quiet', '--ssh-config', 'none'], {timeoutMs: 120_000})
  expect(r.status, r.stderr + r.stdout).toBe(0)
  const report = JSON.parse(r.stdout) as {hosts: {name: string; file: string}[]}
  snapshot = JSON.parse(readFileSync(report.hosts.find((h) => h.name === 'web01')!.file, 'utf8')) as Snapshot
}, 180_000)

afterAll(async () => {
  await sshLab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('the sshd section reads the running daemon, not only its files', () => {
  it('names the daemon that accepted the session: its pid, its -f file and its -o overrides', () => {
    const d = snapshot.sections.sshd.data!
    expect(d.running).toBe(true)
    expect(d.daemon).toEqual({
      pid: listenerPid,
      source: 'ssh-session',
      uid: 0,
      executable: '/usr/sbin/sshd',
      configFile: path.join(lab.dir, 'sshd_config'),
      overrides: [
        {keyword: 'maxauthtries', value: '2'},
        {keyword: 'x11forwarding', value: 'yes'},
        {keyword: 'clientaliveinterval', value: '77'},
        {keyword: 'listenaddress', value: '127.0.0.2'},
      ],
    })
  })

  it('reports the effective values of the -o overrides over the daemon’s own configuration file', () => {
    const s = snapshot.sections.sshd
    // the sweep logs in as an ordinary user: sshd -T needs root, so the files are read, with the command line on top
    expect(s.status).toBe('partial')
    expect(s.reason).toMatch(/^needs root: effective settings \(sshd -T\)/)
    const d = s.data!
    expect(d.source).toBe('config')
    expect(d.configFiles).toEqual([path.join(lab.dir, 'sshd_config')])
    expect(d.maxAuthTries).toBe(2) // the lab's file says nothing: OpenSSH's default would be 6
    expect(d.x11Forwarding).toBe(true)
    expect(d.clientAliveInterval).toBe(77)
    expect(d.listenAddresses).toEqual(['127.0.0.2', '127.0.0.1'])
    // and what only the lab's file says (not /etc/ssh/sshd_config)
    expect(d.ports).toEqual([lab.port])
    expect(d.permitRootLogin).toBe('no')
    expect(d.allowUsers).toEqual(['hatang-test'])
    expect(d.defaulted).not.toContain('maxauthtries')
  })
})
