import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Snapshot} from '../../src/model/snapshot.js'
import {validateSnapshot} from '../../src/model/validate.js'
import type {SweepReport} from '../../src/report/sweep-summary.js'
import {BIN, hatang} from '../support/cli.js'
import {freePort, hangingCommands, SshLab, startSilentServer, TEST_USER, type Sshd} from '../support/sshd.js'

let lab: SshLab
let work: string
let silent: {port: number; close: () => Promise<void>}
const servers: Record<string, Sshd> = {}
let closedPort = 0

function hostsYaml(hosts: Record<string, {port: number; extra?: string}>, file = path.join(work, 'hosts.yaml')): string {
  const lines = [
    ...lab.hostsDefaults(),
    '  address: 127.0.0.1',
    '  connectTimeout: 3',
    '  commandTimeout: 3',
    'groups:',
    '  fleet:',
    '    hosts:',
    ...Object.entries(hosts).flatMap(([name, h]) => [`      ${name}:`, `        port: ${h.port}`, ...(h.extra ? [`        ${h.extra}`] : [])]),
    'hosts:',
    '  localhost:',
    '    transport: local',
    '',
  ]
  writeFileSync(file, lines.join('\n'))
  return file
}

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-sweep-'))
  const [good1, good2, stranger, impostor, refusing, hanging] = await Promise.all([
    lab.start('good1'),
    lab.start('good2'),
    lab.start('stranger'),
    lab.start('impostor'),
    lab.start('refusing', {authorize: 'other'}),
    lab.start('hanging', {path: `${hangingCommands(path.join(lab.dir, 'hang-bin'), ['ss'])}:/usr/bin:/bin:/usr/sbin:/sbin`}),
  ])
  Object.assign(servers, {good1, good2, stranger, impostor, refusing, hanging})
  for (const s of [good1, good2, refusing, hanging]) lab.trust(s)
  lab.trust(impostor, good1.hostKeyPub) // known_hosts holds another key for the impostor's address
  silent = await startSilentServer()
  closedPort = await freePort()
})

afterAll(async () => {
  await silent?.close()
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

describe('hatang sweep against a loopback fleet', () => {
  let report: SweepReport
  let out: string
  let stderr: string
  let status: number | null

  beforeAll(() => {
    const file = hostsYaml({
      good1: {port: servers.good1!.port},
      good2: {port: servers.good2!.port},
      stranger: {port: servers.stranger!.port},
      impostor: {port: servers.impostor!.port},
      refusing: {port: servers.refusing!.port},
      hanging: {port: servers.hanging!.port},
      silent: {port: silent.port},
      closed: {port: closedPort},
    })
    out = path.join(work, 'out')
    const r = hatang(['sweep', file, '-o', out, '--json', '--concurrency', '4'], {timeoutMs: 120_000})
    status = r.status
    stderr = r.stderr
    report = JSON.parse(r.stdout) as SweepReport
  })

  it('collects every reachable host and gives every other one its status and reason', () => {
    const by = Object.fromEntries(report.hosts.map((h) => [h.name, h]))
    expect(by.good1!.status).toBe('ok')
    expect(by.good2!.status).toBe('ok')
    expect(by.localhost!.status).toBe('ok')
    expect(by.stranger!.status).toBe('host-key-unknown')
    expect(by.impostor!.status).toBe('host-key-changed')
    expect(by.refusing!.status).toBe('auth-failed')
    expect(by.silent!.status).toBe('timeout')
    expect(by.closed!.status).toBe('unreachable')
    expect(by.hanging!.status).toBe('partial')
    expect(by.hanging!.reason).toMatch(/ports \(timeout\)/)
  })

  it('exits 3 when some hosts were not collected', () => {
    expect(status).toBe(3)
  })

  it('says how to check and accept an unknown key, and shouts about a changed one', () => {
    const by = Object.fromEntries(report.hosts.map((h) => [h.name, h]))
    expect(by.stranger!.reason).toMatch(/SHA256:[A-Za-z0-9+/]{43}/)
    expect(by.stranger!.reason).toContain(`ssh-keyscan -p ${servers.stranger!.port}`)
    expect(by.impostor!.reason).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/)
  })

  it('writes a valid snapshot for every host, and sweep.json', () => {
    const files = readdirSync(out).sort()
    expect(files).toContain('sweep.json')
    expect(files.filter((f) => f !== 'sweep.json')).toHaveLength(report.hosts.length)
    for (const h of report.hosts) {
      const snap = JSON.parse(readFileSync(h.file, 'utf8')) as Snapshot
      expect(() => validateSnapshot(snap, h.file)).not.toThrow()
      expect(snap.host.status).toBe(h.status)
      expect(snap.host.groups ?? []).toEqual(h.name === 'localhost' ? [] : ['fleet'])
    }
    const saved = JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8')) as SweepReport
    expect(saved.counts).toEqual(report.counts)
  })

  it('logs a plain timestamped line per host without a terminal', () => {
    expect(stderr).toMatch(/^\d{4}-\d\d-\d\dT\S+Z good1 ok \(\d+\.\d s\) \[\d+\/9\]$/m)
    expect(stderr).toMatch(/sweep finished: 9\/9 hosts/)
  })
})

describe('hatang sweep options', () => {
  it('--limit picks hosts, and a limit that matches nothing is a usage error', () => {
    const file = hostsYaml({good1: {port: servers.good1!.port}, good2: {port: servers.good2!.port}}, path.join(work, 'limit.yaml'))
    const r = hatang(['sweep', file, '--limit', 'good2', '-o', path.join(work, 'limit-out'), '--json', '--quiet'])
    expect(r.status, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as SweepReport).hosts.map((h) => h.name)).toEqual(['good2'])
    expect(hatang(['sweep', file, '--limit', 'nosuchhost', '-o', path.join(work, 'x')]).status).toBe(2)
  })

  it('--accept-new records a first-seen key and connects, yet still refuses a changed key', async () => {
    const fresh = await lab.start('fresh')
    const before = readFileSync(lab.knownHosts, 'utf8')
    const file = hostsYaml({fresh: {port: fresh.port}, impostor: {port: servers.impostor!.port}}, path.join(work, 'accept.yaml'))
    const r = hatang(['sweep', file, '--accept-new', '-o', path.join(work, 'accept-out'), '--json', '--quiet'])
    const by = Object.fromEntries((JSON.parse(r.stdout) as SweepReport).hosts.map((h) => [h.name, h.status]))
    expect(by.fresh).toBe('ok')
    expect(by.impostor).toBe('host-key-changed')
    const added = readFileSync(lab.knownHosts, 'utf8').slice(before.length)
    expect(added).toContain(`[127.0.0.1]:${fresh.port} ${fresh.hostKeyPub}`)
    // and the recorded key is trusted next time without --accept-new
    const again = hatang(['sweep', file, '--limit', 'fresh', '-o', path.join(work, 'accept-out2'), '--json', '--quiet'])
    expect((JSON.parse(again.stdout) as SweepReport).hosts[0]!.status).toBe('ok')
  })

  it('sweeps an Ansible INI inventory as it is, ranges and group vars included', () => {
    const file = path.join(work, 'inventory.ini')
    writeFileSync(
      file,
      [
        '[fleet]',
        `node[1:2] ansible_host=127.0.0.1 ansible_port=${servers.good1!.port}`,
        `other ansible_host=127.0.0.1 ansible_port=${servers.good2!.port}`,
        '',
        '[fleet:vars]',
        `ansible_user=${TEST_USER}`,
        `ansible_ssh_private_key_file=${lab.clientKey}`,
        '',
      ].join('\n'),
    )
    // known_hosts comes from ~/.ssh/config or the default files for an Ansible inventory: give it ours
    const sshConfig = path.join(work, 'ssh_config')
    writeFileSync(sshConfig, `Host *\n  UserKnownHostsFile ${lab.knownHosts}\n`)
    const r = hatang(['sweep', file, '--ssh-config', sshConfig, '-o', path.join(work, 'ansible-out'), '--json', '--quiet'])
    expect(r.status, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout) as SweepReport
    expect(report.hosts.map((h) => [h.name, h.status])).toEqual([
      ['node1', 'ok'],
      ['node2', 'ok'],
      ['other', 'ok'],
    ])
  })

  it('exits 2 with file:line:column on a broken hosts file, writing nothing', () => {
    const file = path.join(work, 'broken.yaml')
    writeFileSync(file, 'hosts:\n  web01:\n    port: 99999\n')
    const outDir = path.join(work, 'never')
    const r = hatang(['sweep', file, '-o', outDir])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/broken\.yaml:3:\d+/)
    expect(existsSync(outDir)).toBe(false)
  })

  it('stops on Ctrl-C, keeps the snapshots already collected, and says it was interrupted', async () => {
    const hosts: Record<string, {port: number}> = {good1: {port: servers.good1!.port}}
    for (let i = 0; i < 6; i++) hosts[`slow${i}`] = {port: servers.hanging!.port}
    const file = hostsYaml(hosts, path.join(work, 'interrupt.yaml'))
    const outDir = path.join(work, 'interrupt-out')
    const child = spawn(process.execPath, [BIN, 'sweep', file, '-o', outDir, '--concurrency', '1', '--json'], {env: {...process.env, NO_COLOR: '1'}})
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (/ good1 ok /.test(stderr) && !child.killed) child.kill('SIGINT')
    })
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(code).toBe(130)
    const saved = JSON.parse(readFileSync(path.join(outDir, 'sweep.json'), 'utf8')) as SweepReport
    expect(saved.interrupted).toBe(true)
    const by = Object.fromEntries(saved.hosts.map((h) => [h.name, h.status]))
    expect(by.good1).toBe('ok')
    expect(Object.values(by).filter((s) => s === 'interrupted').length).toBeGreaterThanOrEqual(4)
    expect(existsSync(path.join(outDir, 'good1.json'))).toBe(true)
    void stdout
  })
})
