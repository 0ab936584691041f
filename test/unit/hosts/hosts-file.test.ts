import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/config/config-error.js'
import {loadInventory, readInventory} from '../../../src/hosts/load-inventory.js'
import type {HostSpec, Inventory} from '../../../src/hosts/model.js'
import {parseProxyJump} from '../../../src/hosts/proxy-jump.js'

const FIX = path.resolve(import.meta.dirname, '../../fixtures/hosts')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hatang-hosts-'))
const HOME = '/home/auditor'

function load(yaml: string, options: {sshConfig?: string | null} = {sshConfig: null}): Inventory {
  const file = path.join(tmp, `h${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(file, yaml)
  return loadInventory(file, {home: HOME, ...options})
}
function problems(yaml: string): string[] {
  const file = path.join(tmp, 'hosts.yaml')
  writeFileSync(file, yaml)
  return readInventory(file, {sshConfig: null, home: HOME}).errors.map((e) => e.format())
}
const host = (inv: Inventory, name: string): HostSpec => inv.hosts.find((h) => h.name === name)!

describe('the example hosts.yaml', () => {
  const inv = loadInventory(path.join(FIX, 'hosts.yaml'), {sshConfig: null, home: HOME})

  it('resolves defaults < outer group < inner group < host', () => {
    const web02 = host(inv, 'web02')
    expect(web02).toMatchObject({
      address: '10.10.1.12',
      port: 2222,
      user: 'audit',
      identityFiles: [`${HOME}/.ssh/hatang_ed25519`],
      knownHostsFiles: [`${HOME}/.ssh/known_hosts_hatang`],
      sudo: true,
      transport: 'ssh',
      role: 'web',
      tags: ['site-hn', 'dmz'],
      groups: ['prod', 'dmz', 'web'],
      connectTimeoutS: 10,
      commandTimeoutS: 30,
    })
    expect(host(inv, 'web03').user).toBe('deploy')
    expect(web02.source).toEqual({file: path.join(FIX, 'hosts.yaml'), line: 16, column: 7})
  })

  it('resolves a proxyJump alias to the inventory host', () => {
    expect(host(inv, 'web01').proxyJump).toEqual([{host: 'bastion.example.gov.vn', port: 2022, user: 'jump', alias: 'bastion'}])
    expect(host(inv, 'bastion').proxyJump).toBeUndefined()
  })

  it('a host in several groups: deeper group wins, then the later one in the file', () => {
    // db02 is in db (depth 1, under prod) and backup (depth 0): db's role wins over backup's
    const db02 = host(inv, 'db02')
    expect(db02.groups).toEqual(['backup', 'prod', 'db'])
    expect(db02.role).toBe('db')
    expect(db02.identityFiles).toEqual([`${HOME}/.ssh/db_ed25519`, `${HOME}/.ssh/db_backup_ed25519`])
    expect(db02.passwordEnv).toBe('HATANG_DB_PASSWORD')
  })

  it('lists groups with their direct hosts and children', () => {
    expect(inv.groups.prod).toEqual({hosts: [], children: ['dmz', 'db']})
    expect(inv.groups.web?.hosts).toEqual(['web01', 'web02', 'web03'])
    expect(host(inv, 'localhost')).toMatchObject({transport: 'local', groups: [], tags: ['site-hn', 'workstation']})
  })
})

describe('precedence rules', () => {
  it('same depth: the group defined later in the file wins', () => {
    const inv = load('groups:\n  a: {port: 1001, hosts: {h: }}\n  b: {port: 1002, hosts: {h: }}\n')
    expect(host(inv, 'h').port).toBe(1002)
  })
  it('deeper wins over later', () => {
    const inv = load('groups:\n  outer:\n    port: 1\n    children:\n      inner: {port: 2}\n  late: {port: 3, hosts: {h: }}\n  top:\n    children:\n      inner:\n    hosts: {}\n  z:\n    children:\n      x: {hosts: {h: }, children: {}}\n')
    expect(host(inv, 'h').port).toBe(3)
    const inv2 = load('groups:\n  outer:\n    port: 1\n    children:\n      inner: {port: 2, hosts: {h: }}\n  late: {port: 3, hosts: {h: }}\n')
    expect(host(inv2, 'h').port).toBe(2)
    expect(host(inv2, 'h').groups).toEqual(['outer', 'late', 'inner'])
  })
  it('host settings beat every group; lists replace, tags accumulate', () => {
    const inv = load('defaults: {identityFile: [a, b], tags: [x]}\ngroups:\n  g: {identityFile: c, tags: [y], hosts: {h: {identityFile: ~/d, tags: [z, x]}}}\n')
    expect(host(inv, 'h').identityFiles).toEqual([`${HOME}/d`])
    expect(host(inv, 'h').tags).toEqual(['x', 'y', 'z'])
  })
  it('a child listed with no value refers to a group defined elsewhere', () => {
    const inv = load('groups:\n  all-web:\n    children:\n      web:\n  web:\n    user: w\n    hosts: {w1: }\n')
    expect(host(inv, 'w1').groups).toEqual(['all-web', 'web'])
  })
  it('proxyJump: OpenSSH syntax, chains, none', () => {
    const inv = load('defaults: {proxyJump: "ops@gw.example.com:2200,[2001:db8::1]:22"}\nhosts:\n  a:\n  b: {proxyJump: none}\n')
    expect(host(inv, 'a').proxyJump).toEqual([{host: 'gw.example.com', port: 2200, user: 'ops'}, {host: '2001:db8::1', port: 22}])
    expect(host(inv, 'b').proxyJump).toBeUndefined()
    expect(parseProxyJump('ssh://u@h:2')).toEqual([{host: 'h', port: 2, user: 'u'}])
    expect(() => parseProxyJump('h:99999')).toThrow(/port/)
    // as ssh -G -o ProxyJump=2001:db8::1 says: "Invalid ProxyJump"
    expect(() => parseProxyJump('2001:db8::1')).toThrow(/IPv6 address without brackets/)
  })
  it('ssh_config fills what the hosts file leaves unset, and never overrides it', () => {
    const cfg = path.join(tmp, 'ssh_config')
    writeFileSync(cfg, 'Host web*\n  HostName %h.example.com\n  User sshuser\n  Port 2200\n  IdentityFile ~/.ssh/%r_key\n')
    const inv = load('hosts:\n  web1:\n  web2: {user: mine, port: 22}\n', {sshConfig: cfg})
    expect(host(inv, 'web1')).toMatchObject({address: 'web1.example.com', user: 'sshuser', port: 2200, identityFiles: [`${HOME}/.ssh/sshuser_key`]})
    expect(host(inv, 'web2')).toMatchObject({address: 'web2.example.com', user: 'mine', port: 22, identityFiles: [`${HOME}/.ssh/mine_key`]})
  })
})

describe('errors say what, where and what next', () => {
  const bad = (name: string) => readInventory(path.join(FIX, 'invalid', name), {sshConfig: null}).errors
  it('schema errors carry file:line:column and the JSON pointer', () => {
    const [e, ...rest] = bad('bad-port.yaml')
    expect(rest).toEqual([])
    expect(e).toBeInstanceOf(ConfigError)
    expect(e).toMatchObject({line: 8, column: 15, path: '/groups/web/hosts/web02/port'})
    expect(e!.format()).toBe(`${path.join(FIX, 'invalid/bad-port.yaml')}:8:15 /groups/web/hosts/web02/port must be <= 65535 — run 'hatang hosts validate ${path.join(FIX, 'invalid/bad-port.yaml')}'`)
  })
  it('unknown keys, with did-you-mean', () => {
    const msgs = bad('unknown-key.yaml').map((e) => e.format())
    expect(msgs).toHaveLength(3)
    expect(msgs[0]).toMatch(/unknown-key\.yaml:5:5 \/hosts\/web01\/adress is not a known setting — did you mean 'address'\?/)
    expect(msgs[1]).toMatch(/:6:5 \/hosts\/web01\/prot .* did you mean 'port'\?/)
    expect(msgs[2]).toMatch(/:8:5 \/hosts\/web02\/hostname .* did you mean 'address'\?/)
  })
  it('a literal secret is refused and never repeated', () => {
    const msgs = bad('secret.yaml').map((e) => e.format())
    expect(msgs).toHaveLength(1)
    expect(msgs[0]).toMatch(/secret\.yaml:4:5 \/hosts\/db01\/password looks like a secret.*passwordEnv/)
    expect(msgs.join()).not.toContain('hunter2')
    expect(problems('defaults:\n  sshPassphrase: x\n')[0]).toMatch(/:2:3 \/defaults\/sshPassphrase looks like a secret/)
    expect(problems('hosts:\n  h: {passwordEnv: "not a name"}\n')[0]).toMatch(/passwordEnv must be the NAME of an environment variable/)
  })
  it('unknown proxyJump alias', () => {
    expect(bad('proxy-alias.yaml')[0]!.format()).toMatch(/proxy-alias\.yaml:5:16 \/hosts\/web01\/proxyJump names 'bastoin', which is not a host of this inventory .* did you mean 'bastion'\?/)
  })
  it('a host twice with different addresses', () => {
    expect(bad('conflict.yaml')[0]!.format()).toMatch(/conflict\.yaml:7:15 \/groups\/db\/hosts\/web01\/address gives host 'web01' a different address than .*conflict\.yaml:4:24/)
  })
  it('cycles in children', () => {
    expect(bad('cycle.yaml')[0]!.format()).toMatch(/cycle\.yaml:10:7 \/groups\/c\/children\/a makes a cycle of children: a → b → c → a/)
  })
  it('YAML syntax errors', () => {
    expect(bad('syntax.yaml')[0]!.format()).toMatch(/syntax\.yaml:4:1 is not valid YAML/)
  })
  it('more shapes', () => {
    expect(problems('')[0]).toMatch(/hosts\.yaml:1:1 is empty/)
    expect(problems('hosts:\n  h: {transport: telnet}\n')[0]).toMatch(/:2:18 \/hosts\/h\/transport must be one of ssh, local/)
    expect(problems('hosts:\n  h: {identityFile: 3}\n')[0]).toMatch(/\/hosts\/h\/identityFile must be a path or a list of paths/)
    expect(problems('hosts:\n  "bad name": \n')[0]).toMatch(/:2:3 \/hosts\/bad name is not a valid host name/)
    expect(problems('groups:\n  g:\n    chidlren: {}\n')[0]).toMatch(/:3:5 \/groups\/g\/chidlren .*did you mean 'children'\?/)
    expect(problems('grups: {}\n')[0]).toMatch(/:1:1 \/grups is not a known section .*did you mean 'groups'\?/)
    expect(problems('groups:\n  a:\n    children:\n      b:\n')[0]).toMatch(/:4:7 \/groups\/a\/children\/b refers to group 'b', which is not defined/)
    expect(problems('groups:\n  a: {hosts: {h: }}\n  b:\n    children:\n      a: {}\n')[0]).toMatch(/:5:7 .*defines group 'a' a second time \(first at .*:2:3\)/)
    expect(problems('hosts:\n  a: {proxyJump: a}\n')[0]).toMatch(/jump through itself/)
    expect(problems('hosts:\n  h: {port: 22, port: 23}\n')[0]).toMatch(/:2:17 is not valid YAML: Map keys must be unique/)
  })
  it('loadInventory throws the first ConfigError carrying the rest', () => {
    try {
      loadInventory(path.join(FIX, 'invalid/unknown-key.yaml'), {sshConfig: null})
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).all()).toHaveLength(3)
    }
  })
  it('a missing file', () => {
    expect(readInventory(path.join(tmp, 'nope.yaml')).errors[0]!.format()).toMatch(/nope\.yaml:1:1 does not exist/)
  })
})

describe('format detection', () => {
  it('tells hosts.yaml, Ansible YAML and INI apart', () => {
    expect(readInventory(path.join(FIX, 'hosts.yaml'), {sshConfig: null}).format).toBe('hatang')
    expect(readInventory(path.join(FIX, 'inventory.yml'), {sshConfig: null}).format).toBe('ansible-yaml')
    expect(readInventory(path.join(FIX, 'inventory.ini'), {sshConfig: null}).format).toBe('ansible-ini')
    const bare = path.join(tmp, 'hosts')
    writeFileSync(bare, 'a.example.com\nb.example.com\n')
    const r = readInventory(bare, {sshConfig: null})
    expect(r.format).toBe('ansible-ini')
    expect(r.inventory!.hosts.map((h) => h.name)).toEqual(['a.example.com', 'b.example.com'])
  })
})

describe('large inventories keep exact positions', () => {
  const N = 20_000
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name)
    writeFileSync(file, text)
    return file
  }
  it('hosts.yaml: an error on the last of 20,000 hosts points to its line; every host knows its own line', () => {
    const lines = ['groups:', '  fleet:', '    hosts:']
    for (let i = 0; i < N; i++) lines.push(`      h${i}: {address: 10.0.${i >> 8}.${i & 255}${i === N - 1 ? ', port: 70000' : ''}}`)
    const file = write('big.yaml', `${lines.join('\n')}\n`)
    const errors = readInventory(file, {sshConfig: null, home: HOME}).errors.map((e) => e.format())
    // line N+3: three lines of groups before the first host; `port: 70000` starts at column 40 on that line
    const last = lines.at(-1)!
    expect(errors).toEqual([`${file}:${N + 3}:${last.indexOf('70000') + 1} /groups/fleet/hosts/h${N - 1}/port must be <= 65535 — run 'hatang hosts validate ${file}'`])
    const ok = write('big-ok.yaml', `${lines.slice(0, -1).join('\n')}\n`)
    const hosts = loadInventory(ok, {sshConfig: null, home: HOME}).hosts
    expect(hosts).toHaveLength(N - 1)
    for (const i of [0, 1, 9_999, N - 2]) expect(hosts[i]!.source).toEqual({file: ok, line: i + 4, column: 7})
  })
  it('Ansible INI and YAML: the last of 20,000 hosts, and a group variable every host inherits, reported once', () => {
    const ini = ['[fleet]']
    for (let i = 0; i < N; i++) ini.push(`h${i} ansible_host=10.0.${i >> 8}.${i & 255}${i === N - 1 ? ' ansible_port=0' : ''}`)
    const iniFile = write('big.ini', `${ini.join('\n')}\n`)
    expect(readInventory(iniFile, {sshConfig: null}).errors.map((e) => `${e.line}:${e.column} ${e.problem}`)).toEqual([`${N + 1}:${ini.at(-1)!.indexOf('ansible_port') + 1} host 'h${N - 1}': ansible_port must be a port number (1-65535)`])
    const withVars = [...ini.slice(0, -1), '[fleet:vars]', "ansible_ssh_common_args='-p 0'"]
    const groupVar = write('big-vars.ini', `${withVars.join('\n')}\n`)
    expect(readInventory(groupVar, {sshConfig: null}).errors.map((e) => `${e.line}:${e.column} ${e.problem}`)).toEqual([
      `${withVars.length}:1 host 'h0': ansible_ssh_common_args has '-p 0', which is not a port (1-65535): ssh would stop ("Bad port")`,
    ])
    const yaml = ['all:', '  hosts:']
    for (let i = 0; i < N; i++) yaml.push(`    h${i}: {ansible_host: 10.0.${i >> 8}.${i & 255}${i === N - 1 ? ', ansible_port: 0' : ''}}`)
    const yamlFile = write('big-inventory.yml', `${yaml.join('\n')}\n`)
    expect(readInventory(yamlFile, {sshConfig: null}).errors.map((e) => `${e.line}:${e.column} ${e.path} ${e.problem}`)).toEqual([
      `${N + 2}:${yaml.at(-1)!.indexOf('ansible_port') + 1} /all/hosts/h${N - 1}/ansible_port host 'h${N - 1}': ansible_port must be a port number (1-65535)`,
    ])
  })
})

describe('identity files named in the inventory', () => {
  it('each item of an identityFile list keeps its position; one that does not exist is marked and warned about', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'hatang-keys-'))
    mkdirSync(path.join(home, '.ssh'))
    writeFileSync(path.join(home, '.ssh', 'there'), 'key\n')
    const file = path.join(tmp, 'keys.yaml')
    writeFileSync(file, 'defaults:\n  identityFile: [~/.ssh/there, ~/.ssh/gone]\nhosts:\n  a:\n  b:\n  c: {identityFile: ~/.ssh/there}\n  d: {transport: local}\n')
    const inv = loadInventory(file, {sshConfig: null, home})
    const a = host(inv, 'a')
    expect(a.configuredIdentityFiles).toEqual([
      {file: path.join(home, '.ssh/there'), origin: {file, line: 2, column: 18, path: '/defaults/identityFile/0'}},
      {file: path.join(home, '.ssh/gone'), origin: {file, line: 2, column: 32, path: '/defaults/identityFile/1'}, missing: true},
    ])
    expect(a.warnings).toEqual([
      {
        file,
        line: 2,
        column: 32,
        path: '/defaults/identityFile/1',
        code: 'identity-file-missing',
        message: `identity file ~/.ssh/gone (${path.join(home, '.ssh/gone')}) does not exist`,
        hint: `correct the path, or create the key: ssh-keygen -t ed25519 -f ${path.join(home, '.ssh/gone')}`,
      },
    ])
    // the same warning object for every host it applies to
    expect(host(inv, 'b').warnings![0]).toBe(a.warnings![0])
    expect(host(inv, 'c')).toMatchObject({configuredIdentityFiles: [{file: path.join(home, '.ssh/there'), origin: {line: 6, column: '  c: {identityFile: '.length + 1}}]})
    expect(host(inv, 'c').warnings).toBeUndefined()
    expect(host(inv, 'd').configuredIdentityFiles).toBeUndefined()
  })
  it('ssh_config IdentityFile lines and the defaults say nothing when missing (OpenSSH ignores them too)', () => {
    const cfg = path.join(tmp, 'ssh_config_keys')
    writeFileSync(cfg, 'Host *\n  IdentityFile ~/.ssh/not-there\n')
    const inv = load('hosts:\n  a:\n  b: {port: 22}\n', {sshConfig: cfg})
    expect(host(inv, 'a').identityFiles).toEqual([`${HOME}/.ssh/not-there`])
    expect(host(inv, 'a').configuredIdentityFiles).toBeUndefined()
    expect(inv.hosts.flatMap((h) => h.warnings ?? [])).toEqual([])
  })
  it('Ansible: the key variable and -i / IdentityFile in ssh args, at the variable', () => {
    const file = path.join(tmp, 'keys.ini')
    const line2 = "h1 ansible_ssh_private_key_file=/nonexistent/k1 ansible_ssh_common_args='-i /nonexistent/k2'"
    writeFileSync(file, `[g]\n${line2}\n[g:vars]\nansible_ssh_extra_args=-o IdentityFile=/nonexistent/k3\n`)
    const h1 = host(loadInventory(file, {sshConfig: null}), 'h1')
    expect(h1.configuredIdentityFiles!.map((f) => [f.file, f.origin.line, f.origin.column, f.missing])).toEqual([
      ['/nonexistent/k1', 2, 4, true],
      ['/nonexistent/k2', 2, line2.indexOf('ansible_ssh_common_args') + 1, true],
      ['/nonexistent/k3', 4, 1, true],
    ])
    expect(h1.warnings!.map((w) => w.code)).toEqual(['identity-file-missing', 'identity-file-missing', 'identity-file-missing'])
  })
})
