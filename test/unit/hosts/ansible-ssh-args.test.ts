import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {readInventory} from '../../../src/hosts/load-inventory.js'
import type {HostSpec} from '../../../src/hosts/model.js'
import {formatProxyJump} from '../../../src/hosts/proxy-jump.js'
import {jumpFromProxyCommand} from '../../../src/hosts/ssh-command-line.js'

/**
 * The connection settings hatang reads from Ansible's ssh variables, compared with what ssh itself makes of the
 * command line the real Ansible builds for each host: Ansible runs (ad hoc `ping`) with a recorder in place of the
 * ssh binary (ANSIBLE_SSH_EXECUTABLE), which writes its arguments down and fails; nothing connects anywhere. Then
 * `ssh -G -F /dev/null <those arguments>` prints the settings ssh would use.
 */
const T = mkdtempSync(path.join(os.tmpdir(), 'hatang-ssh-args-'))
const localUser = os.userInfo().username
const pwHome = os.userInfo().homedir // ssh expands ~ from the password database, not $HOME
for (const k of ['key0', 'key1', 'key 2', 'key3', 'key4']) writeFileSync(path.join(T, k), 'not a key: only its existence matters\n')

const INVENTORY = [
  '[known]',
  `kh1 ansible_host=127.0.0.11 ansible_ssh_common_args='-o UserKnownHostsFile=${T}/kh_common'`,
  '[order]',
  "po1 ansible_host=127.0.0.12 ansible_port=2200 ansible_user=alice ansible_ssh_common_args='-p 2300 -o Port=2400 -l nobody'",
  "af1 ansible_host=127.0.0.13 ansible_ssh_args='-o Port=1234 -o User=early -o ConnectTimeout=33' ansible_port=2200 ansible_user=late ansible_ssh_timeout=44",
  'sv1 ansible_host=127.0.0.14 ansible_ssh_host=127.0.0.15 ansible_port=1001 ansible_ssh_port=1002 ansible_user=a ansible_ssh_user=b',
  '[spell]',
  `sp1 ansible_host=127.0.0.16 ansible_ssh_private_key_file=${T}/key0`,
  '[spell:vars]',
  `ansible_ssh_common_args=-oUser=u4 -o "Port 2204" -o ConnectTimeout=30 -i ${T}/key1 -o 'IdentityFile="${T}/key 2"'`,
  `ansible_ssh_extra_args=-l ignored -o ServerAliveInterval=5 -qC -o IdentityFile=${T}/key3`,
  '[jumps]',
  "j1 ansible_host=127.0.0.17 ansible_ssh_common_args='-J ops@bastion.example.com:2022'",
  'j2 ansible_host=127.0.0.18 ansible_ssh_common_args=\'-o ProxyJump=a.example.com -o ProxyCommand="nc %h %p"\'',
  'j3 ansible_host=127.0.0.19 ansible_ssh_common_args=\'-o ProxyCommand="ssh -W %h:%p -q -p 2200 ops@bastion.example.com"\'',
  'j4 ansible_host=127.0.0.24 ansible_ssh_extra_args=\'-o ProxyCommand="nc -X 5 -x proxy.example.com:1080 %h %p"\'',
  '[insecure]',
  "in1 ansible_host=127.0.0.20 ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'",
  'in2 ansible_host=127.0.0.21 ansible_host_key_checking=false',
  '[name]',
  "hn1 ansible_host=h9 ansible_ssh_common_args='-o HostName=%h.internal'",
  "hn2 ansible_ssh_common_args='-o HostName=real.example.com -o Port=2022'",
  '[grp]',
  `g1 ansible_host=127.0.0.22 ansible_ssh_extra_args='-o UserKnownHostsFile=${T}/kh_extra'`,
  'g2 ansible_host=127.0.0.23',
  '[grp:vars]',
  `ansible_ssh_common_args=-o UserKnownHostsFile=${T}/kh_group -o IdentityFile=${T}/key4`,
  'ansible_ssh_timeout=15',
  '',
].join('\n')
const FILE = path.join(T, 'inventory.ini')
writeFileSync(FILE, INVENTORY)

/** Each host's ssh arguments as the real Ansible builds them, by destination (the argument before the command). */
function ansibleCommandLines(): Map<string, string[]> {
  const rec = path.join(T, 'rec')
  mkdirSync(rec)
  const recorder = path.join(T, 'ssh-recorder')
  writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\0' "$@" > "${rec}/$$"\nexit 255\n`)
  chmodSync(recorder, 0o755)
  const r = spawnSync('ansible', ['all', '-i', FILE, '-m', 'ping'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ANSIBLE_SSH_EXECUTABLE: recorder,
      ANSIBLE_HOME: path.join(T, 'ansible'),
      ANSIBLE_LOCAL_TEMP: path.join(T, 'ansible-tmp'),
      ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(T, 'cp'),
      ANSIBLE_FORKS: '20',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    },
  })
  // every host is unreachable (the recorder fails), which is the point
  expect(r.stdout.match(/UNREACHABLE/g)?.length, r.stdout + r.stderr).toBeGreaterThan(0)
  const out = new Map<string, string[]>()
  for (const f of readdirSync(rec)) {
    const argv = readFileSync(path.join(rec, f), 'utf8').split('\0').slice(0, -1)
    out.set(argv.at(-2)!, argv.slice(0, -2))
  }
  return out
}

/** `ssh -G`: the settings ssh would use with these arguments, without connecting. */
function sshG(args: string[], destination: string): Map<string, string[]> {
  const r = spawnSync('ssh', ['-G', '-F', '/dev/null', ...args, destination], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`ssh -G ${args.join(' ')} ${destination}: ${r.stderr}`)
  const out = new Map<string, string[]>()
  for (const line of r.stdout.split('\n')) {
    const sp = line.indexOf(' ')
    if (sp < 0) continue
    const [k, v] = [line.slice(0, sp), line.slice(sp + 1)]
    out.set(k, [...(out.get(k) ?? []), v])
  }
  return out
}

/** Where Ansible connects: ansible_ssh_host, else ansible_host, else the name (as written on the host's line above). */
function destinationOf(name: string): string {
  const line = INVENTORY.split('\n').find((l) => l.startsWith(`${name} `) || l === name) ?? ''
  return /ansible_ssh_host=(\S+)/.exec(line)?.[1] ?? /ansible_host=(\S+)/.exec(line)?.[1] ?? name
}

const tilde = (p: string) => (p.startsWith('~/') ? path.join(pwHome, p.slice(2)) : p)

describe('Ansible ssh arguments, compared with ssh -G on the command line Ansible builds', () => {
  let hosts: HostSpec[]
  let lines: Map<string, string[]>
  beforeAll(() => {
    const r = readInventory(FILE, {sshConfig: null, home: pwHome, localUser})
    expect(r.errors.map((e) => e.format())).toEqual([])
    hosts = r.inventory!.hosts
    lines = ansibleCommandLines()
  }, 180_000)

  it('every host: address, port, user, keys, known_hosts, timeout and jump as ssh would use them', () => {
    expect(lines.size).toBe(hosts.length)
    for (const h of hosts) {
      const destination = destinationOf(h.name)
      const args = lines.get(destination)
      expect(args, `no command line recorded for ${h.name}`).toBeDefined()
      const g = sshG(args!, destination)
      const one = (k: string) => g.get(k)?.[0]
      const refused = (h.warnings ?? []).filter((w) => w.code === 'ssh-option-refused')
      expect(h.address, h.name).toBe(one('hostname'))
      expect(h.port, h.name).toBe(Number(one('port')))
      expect(h.user ?? localUser, h.name).toBe(one('user'))
      const keys = g.get('identityfile')!.map(tilde)
      if (h.identityFiles.length === 0) expect(keys.every((k) => k.startsWith(path.join(pwHome, '.ssh/id_'))), h.name).toBe(true)
      else expect(h.identityFiles, h.name).toEqual(keys)
      const known = one('userknownhostsfile')!
      if (known === '/dev/null' || known === 'none') {
        // refused: hatang keeps verifying against the default known_hosts, and says so
        expect(h.knownHostsFiles, h.name).toEqual([])
        expect(refused.map((w) => w.message).join('\n'), h.name).toMatch(/UserKnownHostsFile=\/dev\/null is refused/)
      } else if (h.knownHostsFiles.length === 0) expect(known, h.name).toBe(`${pwHome}/.ssh/known_hosts ${pwHome}/.ssh/known_hosts2`)
      else expect(h.knownHostsFiles.join(' '), h.name).toBe(known)
      expect(h.connectTimeoutS ?? 10, h.name).toBe(Number(one('connecttimeout')))
      if (['no', 'false'].includes(one('stricthostkeychecking')!)) expect(refused.map((w) => w.message).join('\n'), h.name).toMatch(/StrictHostKeyChecking=no is refused|host_key_checking: false is refused/)
      const jump = one('proxyjump')
      const command = one('proxycommand')
      if (jump) expect(formatProxyJump(h.proxyJump ?? []), h.name).toBe(jump.replace(/:22$/, ''))
      else if (command && jumpFromProxyCommand(command)) expect(formatProxyJump(h.proxyJump ?? []), h.name).toBe(jumpFromProxyCommand(command))
      else expect(h.proxyJump, h.name).toBeUndefined()
      if (command && !jump && !jumpFromProxyCommand(command)) expect((h.warnings ?? []).map((w) => w.message).join('\n'), h.name).toMatch(/ProxyCommand .* is ignored/)
    }
  })

  it('names what ssh keeps instead of a later option, and the options hatang ignores', () => {
    const warnings = (name: string) => (hosts.find((h) => h.name === name)!.warnings ?? []).map((w) => `${w.line}:${w.column} ${w.code} ${w.message}`)
    expect(warnings('po1')).toEqual([
      expect.stringMatching(/^4:\d+ ssh-option-no-effect ansible_ssh_common_args: -p 2300 has no effect: ssh keeps the first value it is given, 2200 from ansible_port/),
      expect.stringMatching(/-o Port=2400 has no effect/),
      expect.stringMatching(/-l nobody has no effect: .*alice from ansible_user/),
    ])
    expect(warnings('af1').join('\n')).toMatch(/ ansible_port=2200 has no effect: .*1234 from ansible_ssh_args/)
    expect(warnings('af1').join('\n')).toMatch(/ ansible_ssh_timeout=44 has no effect: .*33 from ansible_ssh_args/)
    // group variables: the position of the [spell:vars] line that says it
    expect(warnings('sp1')).toContainEqual(expect.stringMatching(/^10:1 ssh-option-no-effect ansible_ssh_common_args: -o ConnectTimeout=30 has no effect: .*Ansible's own ConnectTimeout/))
    expect(warnings('sp1')).toContainEqual('11:1 ssh-option-ignored ansible_ssh_extra_args: -o ServerAliveInterval=5, -q, -C are ignored: hatang has no equivalent')
    expect(warnings('in2')).toEqual([expect.stringMatching(/ssh-option-refused ansible_host_key_checking: false is refused/)])
    expect(warnings('g2')).toEqual([])
  })
})
