import {chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {SYSCTL_CONF, SYSCTL_DIRS} from '../../inventory/sysctl-persisted.js'
import {SYSCTL_FIX_FILE} from '../../src/engine/checks/persisted-sysctl.js'
import {hatangAsync} from '../support/cli.js'
import {startIsolatedSshd, type IsolatedSshd} from '../support/isolated-sshd.js'
import {SshLab} from '../support/sshd.js'

/**
 * The done-when of "runtime and persisted", end to end over SSH: two lab hosts whose ICMP redirect parameters are 0
 * at runtime (in a network namespace of their own) and whose /var/tmp is a tmpfs mounted nodev,nosuid,noexec, one
 * with no file setting either (what the next boot would undo), one with a sysctl.d file and an fstab line that do. This machine's sysctls and /etc are never written: the hosts' files are
 * bind-mounted in private mount namespaces (test/support/isolated-sshd.ts).
 */
const REDIRECTS = ['net.ipv4.conf.all.accept_redirects', 'net.ipv4.conf.default.accept_redirects', 'net.ipv6.conf.all.accept_redirects', 'net.ipv6.conf.default.accept_redirects']
const proc = (key: string) => `/proc/sys/${key.replaceAll('.', '/')}`

let work: string
let lab: SshLab
let runtimeOnly: IsolatedSshd
let persisted: IsolatedSshd
/** This machine's own values, to show they are untouched. */
let before: ReturnType<typeof here>
const here = () => ({sysctl: REDIRECTS.map((k) => readFileSync(proc(k), 'utf8')), etc: readdirSync('/etc/sysctl.d').sort(), fstab: readFileSync('/etc/fstab', 'utf8'), mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / \/(var\/tmp|etc\/sysctl\.d|etc\/fstab) /.test(l))})

beforeAll(async () => {
  before = here()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-persisted-'))
  chmodSync(work, 0o755) // the test user's sessions read the bind-mounted files
  const empty = path.join(work, 'empty')
  mkdirSync(empty, {mode: 0o755})
  writeFileSync(path.join(work, 'empty.conf'), '')
  const files = path.join(work, 'persisted-sysctl.d')
  mkdirSync(files, {mode: 0o755})
  // the spellings sysctl.d(5) allows: a glob, a key with slashes, a leading '-'
  writeFileSync(path.join(files, '60-redirects.conf'), '# ICMP redirects\nnet.ipv4.conf.*.accept_redirects = 0\nnet/ipv6/conf/all/accept_redirects = 0\n-net.ipv6.conf.default.accept_redirects=0\n', {mode: 0o644})
  // /var/tmp: a separate mount with its hardening options on both hosts, in the fstab of one only
  writeFileSync(path.join(work, 'fstab-empty'), '# no /var/tmp here\n', {mode: 0o644})
  writeFileSync(path.join(work, 'fstab-var-tmp'), '# /var/tmp\ntmpfs /var/tmp tmpfs nodev,nosuid,noexec 0 0\n', {mode: 0o644})
  const setup = (sysctlDir: string, fstab: string) =>
    [
      'ip link set lo up',
      ...REDIRECTS.map((k) => `echo 0 > ${proc(k)}`),
      // the boot's files: none, except what this host has in /etc/sysctl.d
      `for d in ${SYSCTL_DIRS.join(' ')}; do if [ -d "$d" ]; then mount --bind ${empty} "$d"; fi; done`,
      `if [ -e ${SYSCTL_CONF} ]; then mount --bind ${path.join(work, 'empty.conf')} ${SYSCTL_CONF}; fi`,
      `mount --bind ${sysctlDir} /etc/sysctl.d`,
      'mount -t tmpfs -o nodev,nosuid,noexec tmpfs /var/tmp',
      `mount --bind ${path.join(work, fstab)} /etc/fstab`,
    ].join('\n')
  lab = new SshLab()
  runtimeOnly = await startIsolatedSshd(lab, 'runtime-only', setup(empty, 'fstab-empty'))
  persisted = await startIsolatedSshd(lab, 'persisted', setup(files, 'fstab-var-tmp'))
  for (const s of [runtimeOnly, persisted]) lab.trust(s)
}, 60_000)

afterAll(async () => {
  await lab?.cleanup()
  rmSync(work, {recursive: true, force: true})
})

interface Result {
  check: string
  status: string
  reason?: string
}

describe('a kernel parameter right at runtime but persisted nowhere, audited over SSH', () => {
  it('fails with "not persisted" and the file to set it in; the host whose sysctl.d sets it passes', async () => {
    const hosts = path.join(work, 'hosts.yaml')
    writeFileSync(
      hosts,
      [...lab.hostsDefaults(), '  address: 127.0.0.1', '  connectTimeout: 10', 'groups:', '  lab:', '    hosts:', `      runtime-only: {port: ${runtimeOnly.port}}`, `      persisted: {port: ${persisted.port}}`, ''].join('\n'),
    )
    const out = path.join(work, 'reports')
    // async: the lab hosts are served from this process
    const r = await hatangAsync(['audit', hosts, '--quiet', '--store', path.join(work, 'store.db'), '-o', out, '-f', 'json', '--fail-on', 'none', '--min-coverage', '0', '--ssh-config', 'none'], {timeoutMs: 120_000})
    expect(r.status, `${r.stderr}${r.stdout}\n${runtimeOnly.log()}`).toBe(0)
    const results = JSON.parse(readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8')) as {hosts: {name: string; results: Result[]}[]}
    const verdict = (host: string) => results.hosts.find((h) => h.name === host)!.results.find((x) => x.check === 'sysctl.accept-redirects')!
    const failed = verdict('runtime-only')
    expect(failed.status).toBe('fail')
    expect(failed.reason).toBe(`net.ipv4.conf.all.accept_redirects: runtime 0, not persisted: set net.ipv4.conf.all.accept_redirects = 0 in ${SYSCTL_FIX_FILE}`)
    expect(verdict('persisted')).toMatchObject({status: 'pass'})
    // the same rule for mount options: right live, in no fstab line
    const mount = (host: string) => results.hosts.find((h) => h.name === host)!.results.find((x) => x.check === 'mount.var-tmp')!
    expect(mount('runtime-only')).toMatchObject({status: 'fail', reason: '/var/tmp: nodev,nosuid,noexec at runtime, not persisted: add a line for /var/tmp with nodev,nosuid,noexec to /etc/fstab'})
    expect(mount('persisted')).toMatchObject({status: 'pass'})
  }, 150_000)

  it("left this machine's own parameters and /etc/sysctl.d as they were", () => {
    expect(here()).toEqual(before)
  })
})
