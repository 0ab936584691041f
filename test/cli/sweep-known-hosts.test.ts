import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Snapshot} from '../../src/model/snapshot.js'
import type {SweepReport} from '../../src/report/sweep-summary.js'
import {hatang} from '../support/cli.js'
import {SshLab, TEST_USER, type Sshd} from '../support/sshd.js'

/**
 * `--accept-new` when the known_hosts file cannot be written: a read-only mount, a regular file where a folder
 * should be, a folder where the file should be. The host is refused (its key is trusted only once recorded),
 * the reason names the file, why and what to do, the others are collected, sweep.json is written, exit 3.
 */
let lab: SshLab
let work: string
let roDir = ''
let mounted = false
const servers: Record<string, Sshd> = {}
const files: Record<string, string> = {}

function mustRun(file: string, args: string[]): void {
  const r = spawnSync(file, args, {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr}`)
}

/** Every file under a folder, by path relative to it. */
function tree(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true}).map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-khro-'))
  const [readonly, notdir, isdir, writable] = await Promise.all([lab.start('readonly'), lab.start('notdir'), lab.start('isdir'), lab.start('writable')])
  Object.assign(servers, {readonly, notdir, isdir, writable})

  // a read-only bind mount of a folder this test created (root ignores file modes, not a read-only mount)
  roDir = mkdtempSync(path.join(work, 'ro-'))
  files.readonly = path.join(roDir, 'known_hosts')
  writeFileSync(files.readonly, '')
  mustRun('mount', ['--bind', roDir, roDir])
  mounted = true
  mustRun('mount', ['-o', 'remount,bind,ro', roDir])
  expect(spawnSync('touch', [path.join(roDir, 'probe')]).status, 'the bind mount must be read-only').not.toBe(0)

  // a regular file where the known_hosts file's folder should be (ENOTDIR)
  writeFileSync(path.join(work, 'blocker'), 'not a folder\n')
  files.notdir = path.join(work, 'blocker', 'known_hosts')
  // a folder where the known_hosts file should be (EISDIR)
  files.isdir = path.join(work, 'isdir', 'known_hosts')
  mkdirSync(files.isdir, {recursive: true})
  files.writable = path.join(work, 'fine', 'known_hosts')
})

afterAll(async () => {
  if (mounted) spawnSync('umount', [roDir])
  await lab?.cleanup()
  if (work) rmSync(work, {recursive: true, force: true})
})

describe('sweep --accept-new when known_hosts cannot be written', () => {
  let report: SweepReport
  let stdout: string
  let stderr: string
  let status: number | null
  let out: string

  beforeAll(() => {
    const hostsFile = path.join(work, 'hosts.yaml')
    writeFileSync(
      hostsFile,
      [
        'defaults:',
        `  user: ${TEST_USER}`,
        `  identityFile: ${lab.clientKey}`,
        '  address: 127.0.0.1',
        '  connectTimeout: 5',
        'hosts:',
        ...Object.entries(servers).flatMap(([name, s]) => [`  ${name}:`, `    port: ${s.port}`, `    knownHostsFile: ${files[name]}`]),
        '',
      ].join('\n'),
    )
    out = path.join(work, 'out')
    const r = hatang(['sweep', hostsFile, '--accept-new', '-o', out, '--json', '--ssh-config', 'none'], {timeoutMs: 120_000})
    ;({stdout, stderr, status} = r)
    // read in the tests, so that a sweep that wrote no sweep.json fails each of them
    report = (existsSync(path.join(out, 'sweep.json')) ? JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8')) : {hosts: []}) as SweepReport
  })

  it('exits 3 (some hosts not collected) with no stack trace, and writes sweep.json and every snapshot', () => {
    expect(status, stderr).toBe(3)
    expect(stderr).not.toMatch(/^\s+at /m)
    expect(stderr).not.toMatch(/Unhandled|TypeError|Error: EROFS/)
    expect(JSON.parse(stdout)).toEqual(report)
    expect(tree(out).sort()).toEqual(['isdir.json', 'notdir.json', 'readonly.json', 'sweep.json', 'writable.json'])
  })

  it('records and collects the host whose known_hosts can be written', () => {
    const by = Object.fromEntries(report.hosts.map((h) => [h.name, h]))
    expect(by.writable!.status).toBe('ok')
    expect(readFileSync(files.writable!, 'utf8')).toContain(`[127.0.0.1]:${servers.writable!.port} ${servers.writable!.hostKeyPub}`)
  })

  it('refuses each host whose key could not be recorded, saying which file, why and what to do, in one line', () => {
    const by = Object.fromEntries(report.hosts.map((h) => [h.name, h]))
    const why = {readonly: /read-only file system/, notdir: new RegExp(`${path.join(work, 'blocker')} is a file, not a folder`), isdir: /is a folder, not a file/}
    for (const [name, pattern] of Object.entries(why)) {
      const h = by[name]!
      expect(h.status, name).toBe('host-key-unknown')
      const first = h.reason!.split('\n')[0]!
      expect(first).toContain(`cannot record the host key in ${files[name]}`)
      expect(first).toMatch(pattern)
      expect(first).toContain(fingerprintOf(servers[name]!))
      expect(first).toMatch(/not trusted/)
      expect(first).toMatch(/knownHostsFile/)
      // the snapshot says the same, every section included
      const snap = JSON.parse(readFileSync(h.file, 'utf8')) as Snapshot
      expect(snap.host.reason).toBe(h.reason)
      expect(Object.values(snap.sections).every((s) => (s as {reason?: string}).reason?.includes(files[name]!))).toBe(true)
      // the progress line (no terminal) carries it
      expect(stderr).toMatch(new RegExp(`Z ${name} host-key-unknown: .*cannot record the host key in ${escape(files[name]!)}`))
    }
  })

  it('leaves no temporary file anywhere and changes nothing it could not write', () => {
    expect(tree(work).filter((f) => /\.tmp|~$/.test(f))).toEqual([])
    expect(readdirSync(roDir)).toEqual(['known_hosts'])
    expect(readFileSync(files.readonly!, 'utf8')).toBe('')
    expect(readFileSync(path.join(work, 'blocker'), 'utf8')).toBe('not a folder\n')
    expect(readdirSync(files.isdir!)).toEqual([])
    expect(existsSync(path.join(work, 'hosts.yaml'))).toBe(true)
  })
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The server's key fingerprint as ssh-keygen prints it: an independent reading. */
function fingerprintOf(s: Sshd): string {
  const r = spawnSync('ssh-keygen', ['-lf', '-'], {input: `${s.hostKeyPub}\n`, encoding: 'utf8'})
  return r.stdout.split(' ')[1]!
}
