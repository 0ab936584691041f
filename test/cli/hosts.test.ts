import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {HostSpec} from '../../src/hosts/model.js'
import type {SweepReport} from '../../src/report/sweep-summary.js'
import {hatang} from '../support/cli.js'
import {SshLab, TEST_USER, type Sshd} from '../support/sshd.js'

const FIX = 'test/fixtures/hosts'
// a HOME without ~/.ssh/config, so the machine's own ssh_config does not colour the results, with the key files
// the fixtures name (a named key file that does not exist is an error for 'hosts validate')
const HOME = mkdtempSync(path.join(os.tmpdir(), 'hatang-cli-home-'))
mkdirSync(path.join(HOME, '.ssh'))
for (const k of ['hatang_ed25519', 'db_ed25519', 'db_backup_ed25519', 'db_key']) writeFileSync(path.join(HOME, '.ssh', k), 'not a key: only its existence matters\n')
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => hatang(args, {env: {HOME, ...env}})

describe('hatang hosts validate', () => {
  it('says ok with the counts', () => {
    const r = run(['hosts', 'validate', `${FIX}/hosts.yaml`])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^ok: 7 hosts in 5 groups/)
  })
  it('reads Ansible inventories too', () => {
    const r = run(['hosts', 'validate', `${FIX}/inventory.ini`])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/ok: 14 hosts in 8 groups .*ansible-ini/)
  })
  it('exits 2 with file:line:column on stderr and nothing on stdout', () => {
    const r = run(['hosts', 'validate', `${FIX}/invalid/bad-port.yaml`])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(`${FIX}/invalid/bad-port.yaml:8:15 /groups/web/hosts/web02/port must be <= 65535`)
  })
  it('lists every problem', () => {
    const r = run(['hosts', 'validate', `${FIX}/invalid/unknown-key.yaml`])
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(3)
  })
  it('--json gives {valid, hosts, groups, errors}', () => {
    const ok = run(['hosts', 'validate', `${FIX}/hosts.yaml`, '--json'])
    expect(ok.status, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toEqual({valid: true, format: 'hatang', hosts: 7, groups: 5, errors: [], warnings: []})
    const bad = run(['hosts', 'validate', `${FIX}/invalid/cycle.yaml`, '--json'])
    expect(bad.status).toBe(2)
    const body = JSON.parse(bad.stdout) as {valid: boolean; errors: {line: number; column: number; path: string}[]}
    expect(body.valid).toBe(false)
    expect(body.errors[0]).toMatchObject({file: `${FIX}/invalid/cycle.yaml`, line: 10, column: 7, path: '/groups/c/children/a'})
  })
  it('never prints a literal secret', () => {
    const r = run(['hosts', 'validate', `${FIX}/invalid/secret.yaml`])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/secret\.yaml:4:5 \/hosts\/db01\/password looks like a secret/)
    expect(r.stderr + r.stdout).not.toContain('hunter2')
  })
})

describe('hatang hosts list', () => {
  it('prints a table of resolved settings', () => {
    const r = run(['hosts', 'list', `${FIX}/hosts.yaml`])
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^NAME\s+ADDRESS\s+PORT\s+USER\s+VIA\s+SUDO\s+PROXYJUMP/)
    expect(lines.find((l) => l.startsWith('web02'))).toMatch(/^web02\s+10\.10\.1\.12\s+2222\s+audit\s+ssh\s+yes\s+jump@bastion\.example\.gov\.vn:2022\s+prod,dmz,web/)
    expect(lines.find((l) => l.startsWith('db01'))).toContain('$HATANG_DB_PASSWORD')
    expect(r.stdout).toMatch(/7 hosts\n$/)
  })
  it('--json gives the resolved HostSpec list; a password variable shows by name only', () => {
    const r = run(['hosts', 'list', `${FIX}/hosts.yaml`, '--limit', 'db', '--json'], {HATANG_DB_PASSWORD: 'very-secret-value'})
    expect(r.status, r.stderr).toBe(0)
    const hosts = JSON.parse(r.stdout) as HostSpec[]
    expect(hosts.map((h) => h.name)).toEqual(['db01', 'db02'])
    expect(hosts[0]).toMatchObject({address: '10.10.2.21', port: 22, user: 'dbadmin', passwordEnv: 'HATANG_DB_PASSWORD', identityFiles: [`${HOME}/.ssh/hatang_ed25519`]})
    expect(r.stdout).not.toContain('very-secret-value')
  })
  it('--limit takes globs, exclusions and intersections', () => {
    const r = run(['hosts', 'list', `${FIX}/hosts.yaml`, '--limit', 'prod,!web02,&web*', '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as HostSpec[]).map((h) => h.name)).toEqual(['web01', 'web03'])
  })
  it('an unknown --limit name exits 2 with a suggestion', () => {
    const r = run(['hosts', 'list', `${FIX}/hosts.yaml`, '--limit', 'bastoin'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/'bastoin', which is neither a group nor a host — did you mean 'bastion'\?/)
  })
  it('a broken file exits 2 with the position and the next step', () => {
    const r = run(['hosts', 'list', `${FIX}/invalid/proxy-alias.yaml`])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/proxy-alias\.yaml:5:16 \/hosts\/web01\/proxyJump names 'bastoin'/)
  })
  it('uses ~/.ssh/config for what the hosts file leaves unset (--ssh-config none turns it off)', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'hatang-cli-ssh-'))
    const file = path.join(home, 'hosts.yaml')
    writeFileSync(file, 'hosts:\n  app1:\n  app2: {port: 22}\n')
    writeFileSync(path.join(home, 'cfg'), 'Host app*\n  HostName %h.internal\n  Port 2200\n  User appuser\n')
    const withCfg = hatang(['hosts', 'list', file, '--json', '--ssh-config', path.join(home, 'cfg')], {env: {HOME: home}})
    expect(withCfg.status, withCfg.stderr).toBe(0)
    const hosts = JSON.parse(withCfg.stdout) as HostSpec[]
    expect(hosts.map((h) => [h.address, h.port, h.user])).toEqual([
      ['app1.internal', 2200, 'appuser'],
      ['app2.internal', 22, 'appuser'],
    ])
    const none = hatang(['hosts', 'list', file, '--json', '--ssh-config', 'none'], {env: {HOME: home}})
    expect((JSON.parse(none.stdout) as HostSpec[])[0]).toMatchObject({address: 'app1', port: 22})
  })
  it('lists an Ansible YAML inventory', () => {
    const r = run(['hosts', 'list', `${FIX}/inventory.yml`, '--limit', 'db_replicas', '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as HostSpec[]).map((h) => h.name)).toEqual(['replica01', 'replica05', 'replica09'])
  })
})

describe('Ansible ssh options and key files, as hosts validate and hosts list show them', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-cli-ansible-'))
  const key = path.join(HOME, '.ssh', 'hatang_ed25519')
  const write = (name: string, lines: string[]) => {
    const file = path.join(dir, name)
    writeFileSync(file, `${lines.join('\n')}\n`)
    return file
  }
  const options = [
    '[web]',
    `w1 ansible_host=10.0.0.1 ansible_ssh_private_key_file=${key} ansible_ssh_common_args='-o UserKnownHostsFile=${dir}/known -o ServerAliveInterval=30 -C'`,
    `w2 ansible_host=10.0.0.2 ansible_ssh_private_key_file=${key}`,
    '[web:vars]',
    'ansible_ssh_extra_args=-o StrictHostKeyChecking=no -o ConnectTimeout=30',
  ]

  it('validate: ok, and each ignored or refused option named once with file:line:column on stderr', () => {
    const file = write('options.ini', options)
    const r = run(['hosts', 'validate', file])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^ok: 2 hosts in 1 group/)
    const col = options[1]!.indexOf('ansible_ssh_common_args') + 1
    expect(r.stderr.trim().split('\n')).toEqual([
      `warning: ${file}:5:1 ansible_ssh_extra_args: -o StrictHostKeyChecking=no is refused: hatang always verifies host keys against known_hosts (hosts w1, w2) — record the hosts' keys in known_hosts (ssh-keyscan, or a first sweep with --accept-new)`,
      `warning: ${file}:5:1 ansible_ssh_extra_args: -o ConnectTimeout=30 has no effect: ssh keeps the first value it is given, Ansible's own ConnectTimeout (ansible_ssh_timeout, default 10 s), which comes before it; so does hatang (hosts w1, w2) — set ansible_ssh_timeout instead`,
      `warning: ${file}:2:${col} ansible_ssh_common_args: -o ServerAliveInterval=30, -C are ignored: hatang has no equivalent (host w1)`,
    ])
    const json = run(['hosts', 'validate', file, '--json'])
    expect(json.status).toBe(0)
    const body = JSON.parse(json.stdout) as {valid: boolean; warnings: {code: string; line: number; column: number; hosts: number; examples: string[]}[]}
    expect(body.valid).toBe(true)
    expect(body.warnings.map((w) => [w.code, w.line, w.column, w.hosts, w.examples])).toEqual([
      ['ssh-option-refused', 5, 1, 2, ['w1', 'w2']],
      ['ssh-option-no-effect', 5, 1, 2, ['w1', 'w2']],
      ['ssh-option-ignored', 2, col, 1, ['w1']],
    ])
  })

  it('list: the known_hosts of the ssh args is used; --json carries each host its warnings', () => {
    const file = write('options-list.ini', options)
    const r = run(['hosts', 'list', file, '--json'])
    expect(r.status, r.stderr).toBe(0)
    const [w1, w2] = JSON.parse(r.stdout) as HostSpec[]
    expect(w1).toMatchObject({knownHostsFiles: [`${dir}/known`], identityFiles: [key], configuredIdentityFiles: [{file: key, origin: {line: 2}}]})
    expect(w2!.knownHostsFiles).toEqual([])
    expect(w1!.warnings!.map((w) => w.code)).toEqual(['ssh-option-refused', 'ssh-option-no-effect', 'ssh-option-ignored'])
    const text = run(['hosts', 'list', file])
    expect(text.stderr).toMatch(/^warning: .*options-list\.ini:5:1 ansible_ssh_extra_args: -o StrictHostKeyChecking=no is refused/m)
  })

  it('a key file the inventory names that does not exist: validate exits 2 at its position; list marks it', () => {
    const gone = path.join(dir, 'no-such-key')
    const file = write('missing-key.ini', ['[db]', `db1 ansible_ssh_private_key_file=${gone}`, 'db2', '[db:vars]', `ansible_ssh_common_args='-i ${gone}2'`])
    const r = run(['hosts', 'validate', file])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:2:5 identity file ${gone} does not exist (host db1) — correct the path, or create the key: ssh-keygen -t ed25519 -f ${gone}`,
      `${file}:5:1 identity file ${gone}2 does not exist (hosts db1, db2) — correct the path, or create the key: ssh-keygen -t ed25519 -f ${gone}2`,
    ])
    const json = JSON.parse(run(['hosts', 'validate', file, '--json']).stdout) as {valid: boolean; errors: {line: number; column: number; message: string; hint: string}[]}
    expect(json.valid).toBe(false)
    expect(json.errors[0]).toMatchObject({line: 2, column: 5, message: `identity file ${gone} does not exist (host db1)`})
    const list = run(['hosts', 'list', file])
    expect(list.status, list.stderr).toBe(0)
    expect(list.stdout.split('\n').find((l) => l.startsWith('db1'))).toContain(`${gone} (missing),${gone}2 (missing)`)
    expect(list.stderr).toContain(`warning: ${file}:2:5 identity file ${gone} does not exist (host db1)`)
    const hosts = JSON.parse(run(['hosts', 'list', file, '--json']).stdout) as HostSpec[]
    expect(hosts[1]!.configuredIdentityFiles).toEqual([{file: `${gone}2`, origin: {file, line: 5, column: 1, path: ''}, missing: true}])
  })

  it('hosts.yaml: the item of the identityFile list that is missing; ssh_config and default keys stay silent', () => {
    const file = write('keys.yaml', ['defaults:', '  identityFile:', '    - ~/.ssh/hatang_ed25519', '    - ~/.ssh/lost_ed25519', 'hosts:', '  a:', '  b: {identityFile: ~/.ssh/db_key}'])
    const r = run(['hosts', 'validate', file])
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe(
      `${file}:4:7 /defaults/identityFile/1 identity file ~/.ssh/lost_ed25519 (${HOME}/.ssh/lost_ed25519) does not exist (host a) — correct the path, or create the key: ssh-keygen -t ed25519 -f ${HOME}/.ssh/lost_ed25519`,
    )
    const cfg = write('ssh_config', ['Host *', '  IdentityFile ~/.ssh/lost_ed25519'])
    const quiet = write('quiet.yaml', ['hosts:', '  a:', '  b: {port: 2222}'])
    const ok = run(['hosts', 'validate', quiet, '--ssh-config', cfg])
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stderr).toBe('')
  })
})

describe('hatang sweep with an Ansible inventory whose ssh args name the known_hosts', () => {
  let lab: SshLab
  let sshd: Sshd
  let work: string
  beforeAll(async () => {
    lab = new SshLab()
    sshd = await lab.start('ansible-args')
    lab.trust(sshd)
    work = mkdtempSync(path.join(os.tmpdir(), 'hatang-cli-sweep-args-'))
  })
  afterAll(async () => {
    await lab?.cleanup()
    rmSync(work, {recursive: true, force: true})
  })

  it('connects as Ansible does (the file known_hosts is honoured), and names the ignored option once at the start', () => {
    const file = path.join(work, 'inventory.ini')
    writeFileSync(
      file,
      [
        '[fleet]',
        `node[1:2] ansible_host=127.0.0.1 ansible_port=${sshd.port}`,
        '[fleet:vars]',
        `ansible_user=${TEST_USER}`,
        `ansible_ssh_private_key_file=${lab.clientKey}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${lab.knownHosts} -o ServerAliveInterval=15'`,
        '',
      ].join('\n'),
    )
    // a HOME of its own: no ~/.ssh/known_hosts or ~/.ssh/config of this machine to fall back on
    const home = mkdtempSync(path.join(work, 'home-'))
    const ansible = spawnSync('ansible', ['all', '-i', file, '-m', 'raw', '-a', 'true'], {
      encoding: 'utf8',
      env: {...process.env, HOME: home, ANSIBLE_HOME: path.join(work, 'ansible'), ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'), ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(work, 'cp'), ANSIBLE_NOCOLOR: '1'},
    })
    expect(ansible.status, ansible.stdout + ansible.stderr).toBe(0)
    const r = hatang(['sweep', file, '-o', path.join(work, 'out'), '--json', '--quiet'], {env: {HOME: home}, timeoutMs: 120_000})
    expect(r.status, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as SweepReport).hosts.map((h) => [h.name, h.status])).toEqual([
      ['node1', 'ok'],
      ['node2', 'ok'],
    ])
    expect(r.stderr.trim().split('\n')).toEqual([`warning: ${file}:6:1 ansible_ssh_common_args: -o ServerAliveInterval=15 is ignored: hatang has no equivalent (hosts node1, node2)`])
  }, 180_000)
})

describe('units: hosts list shows them, hosts validate refuses an unknown one', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-cli-units-'))
  const write = (name: string, lines: string[]) => {
    const file = path.join(dir, name)
    writeFileSync(file, `${lines.join('\n')}\n`)
    return file
  }
  const units = ['units:', '  bo-noi-vu: {vi: Bộ Nội vụ, en: Ministry of Home Affairs}', '  tỉnh/hà-nội/sở-nội-vụ: {vi: Sở Nội vụ Hà Nội}']

  it('list: a UNIT column with each host\'s path, and --json with the unit and its names', () => {
    const file = write('units.yaml', [...units, 'defaults: {unit: bo-noi-vu}', 'groups:', '  hn:', '    unit: tỉnh/hà-nội/sở-nội-vụ', '    hosts: {hn01: }', 'hosts:', '  central:'])
    const table = run(['hosts', 'list', file, '--ssh-config', 'none'])
    expect(table.status, table.stderr).toBe(0)
    const lines = table.stdout.split('\n')
    expect(lines[0]).toMatch(/^NAME\s+ADDRESS\s+PORT\s+USER\s+VIA\s+SUDO\s+GROUPS\s+UNIT$/)
    expect(lines.find((l) => l.startsWith('hn01'))).toMatch(/\shn\s+tỉnh\/hà-nội\/sở-nội-vụ$/)
    expect(lines.find((l) => l.startsWith('central'))).toMatch(/\s-\s+bo-noi-vu$/)
    const json = run(['hosts', 'list', file, '--ssh-config', 'none', '--json'])
    expect(json.status, json.stderr).toBe(0)
    const hosts = JSON.parse(json.stdout) as HostSpec[]
    expect(hosts.map((h) => [h.name, h.unit])).toEqual([
      ['hn01', {path: 'tỉnh/hà-nội/sở-nội-vụ', vi: 'Sở Nội vụ Hà Nội', en: 'Sở Nội vụ Hà Nội'}],
      ['central', {path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Ministry of Home Affairs'}],
    ])
  })

  it('validate: an unknown unit exits 2 with file:line:column and a suggestion, nothing on stdout', () => {
    const file = write('unknown-unit.yaml', [...units, 'hosts:', '  h1: {unit: tỉnh/hà-nội/sở-nội-vu}'])
    const r = run(['hosts', 'validate', file])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim()).toBe(`${file}:5:14 /hosts/h1/unit names unit 'tỉnh/hà-nội/sở-nội-vu', which is not declared under 'units:' — did you mean 'tỉnh/hà-nội/sở-nội-vụ'?`)
  })
})
