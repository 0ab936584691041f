import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Snapshot} from '../../src/model/snapshot.js'
import {hatang} from '../support/cli.js'
import {ansibleEnv, DROPPED_CAPABILITIES, startFixTarget, TEST_DEBS, type FixTarget} from '../support/fix-target.js'

/**
 * The disposable target of the fix loop (test/support/fix-target.ts): a real machine state that hatang, OpenSSH and
 * Ansible reach as root over loopback, whose changes stay in its own overlay and namespaces — this machine's files,
 * kernel settings and mounts are the same before and after.
 */
const proc = (key: string) => `/proc/sys/${key.replaceAll('.', '/')}`
const NET_KEY = 'net.ipv4.conf.all.accept_redirects'
const KERNEL_KEYS = ['kernel.randomize_va_space', 'fs.protected_symlinks']
const DROP_IN = '/etc/ssh/sshd_config.d/50-fix-target-test.conf'

/** What the target must never change here. */
const here = () => ({
  sysctl: [NET_KEY, ...KERNEL_KEYS].map((k) => readFileSync(proc(k), 'utf8')),
  sshdDropIns: readdirSync('/etc/ssh/sshd_config.d').sort(),
  hostKey: readFileSync('/etc/ssh/ssh_host_ed25519_key.pub', 'utf8'),
  mounts: readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes('hatang-fix-')),
})

let target: FixTarget
let work: string
let before: ReturnType<typeof here>

beforeAll(async () => {
  before = here()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-fix-target-'))
  target = await startFixTarget()
})

afterAll(async () => {
  await target?.stop()
  rmSync(work, {recursive: true, force: true})
})

const ok = (r: {status: number | null; stdout: string; stderr: string}) => {
  expect(r.status, `${r.stderr}${r.stdout}\n${target.log()}`).toBe(0)
  return r.stdout
}

describe('a fix target', () => {
  it('logs root in over SSH with its own host keys and its own /root, and shows only its own processes', () => {
    expect(ok(target.ssh('id -u; ls -A /root')).split('\n')).toEqual(['0', '.bashrc', '.profile', '.ssh', ''])
    expect(target.hostKeyPub).not.toBe(before.hostKey.trim().split(' ').slice(0, 2).join(' '))
    // its PID namespace: no process of this machine's (this test's node) is seen, a fix cannot signal one
    // (a process of the listing itself may be gone before its comm is read: that one is skipped, not an error)
    expect(ok(target.exec('for f in /proc/[0-9]*/comm; do cat "$f" 2>/dev/null; done; exit 0')).split('\n')).not.toContain('node')
  })

  it("fails to change a kernel-wide setting; its net.* settings are its own and last between connections", () => {
    // the same value written back: a no-op, were the write let through
    for (const key of KERNEL_KEYS) {
      const r = target.ssh(`cat ${proc(key)} > ${proc(key)}`)
      expect(r.status).not.toBe(0)
      expect(r.stderr).toMatch(/Read-only file system/)
    }
    // nor has it the capabilities that act on the kernel as a whole (modules, clock, audit rules…)
    const bounding = /^Capability bounding set: (.*)$/m.exec(ok(target.ssh('setpriv --dump')))![1]!.split(',')
    expect(bounding).toContain('sys_admin')
    for (const capability of DROPPED_CAPABILITIES) expect(bounding).not.toContain(capability)
    const other = before.sysctl[0]!.trim() === '1' ? '0' : '1'
    ok(target.ssh(`sysctl -q -w ${NET_KEY}=${other}`))
    expect(ok(target.ssh(`cat ${proc(NET_KEY)}`)).trim()).toBe(other)
    expect(readFileSync(proc(NET_KEY), 'utf8')).toBe(before.sysctl[0])
  })

  it("serves each connection with the overlay's own sshd configuration: a change counts at the next one, a broken one refuses", () => {
    ok(target.ssh(`printf 'SetEnv HATANG_TARGET=seen\\n' > ${DROP_IN}`))
    expect(ok(target.ssh('echo "$HATANG_TARGET"')).trim()).toBe('seen')
    expect(readFileSync(path.join(target.upperDir, DROP_IN), 'utf8')).toBe('SetEnv HATANG_TARGET=seen\n')
    expect(existsSync(DROP_IN)).toBe(false)

    ok(target.exec(`echo 'NoSuchKeyword yes' >> ${DROP_IN}`))
    const refused = target.ssh('true')
    expect(refused.status).toBe(255)
    expect(target.log()).toMatch(/Bad configuration option: NoSuchKeyword/)
    ok(target.exec(`rm ${DROP_IN}`))
    expect(ok(target.ssh('echo "${HATANG_TARGET:-unset}"')).trim()).toBe('unset')
  })

  it('has no network; its apt installs from its own cache, which holds the .debs of scripts/install-test-deps', () => {
    expect(target.ssh('getent hosts deb.debian.org').status).not.toBe(0)
    expect(ok(target.exec('ls /var/cache/apt/archives')).split('\n').filter((f) => f.endsWith('.deb'))).toEqual(readdirSync(TEST_DEBS).filter((f) => f.endsWith('.deb')).sort())
    const install = target.ssh('DEBIAN_FRONTEND=noninteractive apt-get install -q -y --no-download --no-install-recommends libpam-pwquality', {timeoutMs: 120_000})
    expect(install.status, `${install.stdout}${install.stderr}\n(the .debs come from scripts/install-test-deps)`).toBe(0)
    expect(ok(target.ssh("dpkg-query -W -f '${Status}' libpam-pwquality"))).toBe('install ok installed')
  }, 150_000)

  it('is swept and audited by hatang as root, its own sshd read', () => {
    ok(target.exec(`echo 'MaxAuthTries 3' > ${DROP_IN}`))
    const hosts = path.join(work, 'hosts.yaml')
    writeFileSync(hosts, ['defaults:', '  user: root', `  identityFile: ${target.clientKey}`, `  knownHostsFile: ${target.knownHosts}`, '  address: 127.0.0.1', 'hosts:', `  target: {port: ${target.port}}`, ''].join('\n'))

    const sweepDir = path.join(work, 'sweep')
    const sweep = hatang(['sweep', hosts, '--quiet', '-o', sweepDir, '--ssh-config', 'none'], {timeoutMs: 120_000})
    expect(sweep.status, `${sweep.stderr}${sweep.stdout}\n${target.log()}`).toBe(0)
    const snapshot = JSON.parse(readFileSync(path.join(sweepDir, 'target.json'), 'utf8')) as Snapshot
    expect(snapshot.host.status).toBe('ok')
    const sshd = snapshot.sections.sshd.data!
    expect(sshd.maxAuthTries).toBe(3)
    const fingerprint = spawnSync('ssh-keygen', ['-l', '-f', '-'], {input: target.hostKeyPub, encoding: 'utf8'}).stdout.split(' ')[1]
    expect(sshd.hostKeys?.map((k) => k.fingerprint)).toContain(fingerprint)

    const out = path.join(work, 'audit')
    const audit = hatang(['audit', hosts, '--quiet', '--store', path.join(work, 'store.db'), '-o', out, '-f', 'json', '--fail-on', 'none', '--min-coverage', '0', '--ssh-config', 'none'], {timeoutMs: 120_000})
    expect(audit.status, `${audit.stderr}${audit.stdout}\n${target.log()}`).toBe(0)
    const results = JSON.parse(readFileSync(path.join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8')) as {hosts: {name: string; status: string; results: {check: string; status: string}[]}[]}
    expect(results.hosts.map((h) => [h.name, h.status])).toEqual([['target', 'ok']])
    expect(results.hosts[0]!.results.find((r) => r.check === 'ssh.max-auth-tries')?.status).toBe('pass')
  }, 150_000)

  it("is reached by ansible with host key checking on; Ansible reloads the target's own sshd as a fix's handler does", () => {
    const inventory = path.join(work, 'inventory.yml')
    writeFileSync(
      inventory,
      [
        'all:',
        '  hosts:',
        '    target:',
        '      ansible_host: 127.0.0.1',
        `      ansible_port: ${target.port}`,
        '      ansible_user: root',
        `      ansible_ssh_private_key_file: ${target.clientKey}`,
        `      ansible_ssh_common_args: -o UserKnownHostsFile=${target.knownHosts}`,
        '      ansible_python_interpreter: /usr/bin/python3',
        '',
      ].join('\n'),
    )
    const env = () => ansibleEnv(path.join(work, 'ansible'))
    const r = spawnSync('ansible', ['-i', inventory, 'all', '-m', 'ansible.builtin.ping'], {encoding: 'utf8', env: env(), timeout: 60_000})
    expect(r.status, `${r.stdout}${r.stderr}\n${target.log()}`).toBe(0)
    expect(r.stdout).toMatch(/^target \| SUCCESS => \{[^}]*"ping": "pong"/m)
    // the daemon (not systemd: none runs there) gets SIGHUP and keeps running
    const daemon = ok(target.exec('cat /run/sshd.pid')).trim()
    const reload = spawnSync('ansible', ['-i', inventory, 'all', '-m', 'ansible.builtin.service', '-a', 'name=ssh state=reloaded'], {encoding: 'utf8', env: env(), timeout: 60_000})
    expect(reload.status, `${reload.stdout}${reload.stderr}`).toBe(0)
    expect(reload.stdout).toMatch(/^target \| CHANGED => /m)
    expect(reload.stdout).toMatch(/"reloaded": \{\s*"changed": true,\s*"rc": 0,/)
    expect(ok(target.exec(`kill -0 ${daemon} && cat /proc/${daemon}/comm`)).trim()).toBe('sshd')
    // a known_hosts without the target's key: refused, not accepted
    writeFileSync(inventory, readFileSync(inventory, 'utf8').replace(target.knownHosts, '/dev/null'))
    // without pipelining: with it, Ansible writes the module to ssh's stdin at once, and when ssh has already exited
    // over the key it reports the broken pipe instead of ssh's message (seen once under load)
    const refused = spawnSync('ansible', ['-i', inventory, 'all', '-m', 'ansible.builtin.ping'], {encoding: 'utf8', env: {...env(), ANSIBLE_PIPELINING: 'false'}, timeout: 60_000})
    expect(refused.status).not.toBe(0)
    expect(refused.stdout).toMatch(/UNREACHABLE!.*Host key verification failed/s)
  })

  it("stop() ends its sessions and removes its namespace and folder; this machine's settings and mounts are as they were", async () => {
    const {name, dir, port} = target
    await target.stop()
    expect(existsSync(dir)).toBe(false)
    expect(spawnSync('ip', ['netns', 'list'], {encoding: 'utf8'}).stdout).not.toContain(name)
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect({host: '127.0.0.1', port})
      s.once('connect', () => {
        s.destroy()
        resolve(false)
      })
      s.once('error', () => resolve(true))
    })
    expect(refused).toBe(true)
    // its own mounts (named after it): the targets of other test files, run meanwhile, come and go
    const own = (h: ReturnType<typeof here>) => ({...h, mounts: h.mounts.filter((l) => l.includes(name))})
    expect(own(here())).toEqual(own(before))
  })
})
