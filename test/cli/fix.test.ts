import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {hatang} from '../support/cli.js'
import {freshCopy} from '../support/snapshots.js'

/**
 * `hatang fix` on the captured fleet (six real Debian systems, test/fixtures/fleet) judged now, with a pack of its own
 * so the cases do not hang on the built-in packs' contents: an automatic fix, one guarded by keyLogin, one that needs
 * the release's codename and is written for Debian only, a manual one; a waiver; a host not collected.
 */
let work: string
let fleet: string
let pack: string
let hostsFile: string
let waivers: string
const ansibleEnv = () => ({...process.env, ANSIBLE_HOME: path.join(work, 'ansible'), ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible', 'tmp'), ANSIBLE_NOCOLOR: '1'})

const PACK = `pack: fix-cases
version: 1.0.0
title: {vi: Trường hợp sửa, en: Fix cases}
checks:
  - id: t.max-auth-tries
    title: {vi: SSH tối đa 4 lần thử, en: SSH allows 4 attempts at most}
    rationale: {vi: Lý do., en: Why.}
    remediation: {vi: Sửa., en: Fix it.}
    severity: medium
    assert: {path: sshd.maxAuthTries, le: 4}
    fix:
      risk: sshd
      ansible:
        - name: MaxAuthTries 4
          ansible.builtin.lineinfile: {path: /etc/ssh/sshd_config.d/00-hatang.conf, create: true, mode: '0600', regexp: '^MaxAuthTries', line: MaxAuthTries 4}
          notify: hatang reload sshd
      sh: |
        hatang_set_line /etc/ssh/sshd_config.d/00-hatang.conf '^MaxAuthTries' 'MaxAuthTries 4' reload-sshd
  - id: t.password-auth
    title: {vi: Chỉ khóa, en: Keys only}
    rationale: {vi: Lý do., en: Why.}
    remediation: {vi: Sửa., en: Fix it.}
    severity: high
    assert: {path: sshd.passwordAuthentication, equals: false}
    fix:
      risk: sshd
      guard: keyLogin
      ansible:
        - name: PasswordAuthentication no
          ansible.builtin.lineinfile: {path: /etc/ssh/sshd_config.d/00-hatang.conf, create: true, mode: '0600', regexp: '^PasswordAuthentication', line: PasswordAuthentication no}
          notify: hatang reload sshd
      sh: |
        hatang_set_line /etc/ssh/sshd_config.d/00-hatang.conf '^PasswordAuthentication' 'PasswordAuthentication no' reload-sshd
  - id: t.security-source
    title: {vi: Có nguồn bảo mật, en: A security source}
    rationale: {vi: Lý do., en: Why.}
    remediation: {vi: Sửa., en: Fix it.}
    severity: high
    assert: {path: updates.securitySource, equals: true}
    fix:
      needs: [osCodename]
      distribution: [debian]
      ansible:
        - name: the security source
          ansible.builtin.copy:
            dest: /etc/apt/sources.list.d/hatang-security.list
            content: "deb http://security.debian.org/debian-security {{ hatang_os_codename }}-security main\\n"
            mode: '0644'
      sh: |
        printf 'deb http://security.debian.org/debian-security %s-security main\\n' "$hatang_os_codename" > /etc/apt/sources.list.d/hatang-security.list
  - id: t.unseen
    title: {vi: Không quan sát được, en: Not observed}
    rationale: {vi: Lý do., en: Why.}
    remediation: {vi: Sửa., en: Fix it.}
    severity: critical
    assert: {path: updates.notCollectedAnywhere, equals: true}
    fix:
      ansible:
        - name: never planned
          ansible.builtin.file: {path: /etc/hatang-unseen, state: touch}
      sh: |
        : > /etc/hatang-unseen
  - id: t.mac
    title: {vi: MAC bật, en: MAC on}
    rationale: {vi: Lý do., en: Why.}
    remediation: {vi: Sửa., en: Fix it.}
    severity: medium
    assert: {path: mac.active, notEquals: none}
    fix:
      manual: {vi: Cần khởi động lại., en: Needs a reboot.}
`

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-fix-'))
  fleet = freshCopy(path.resolve(import.meta.dirname, '../fixtures/fleet'))
  // a host of the hosts file that was not reached: no fix for what was not observed
  const unreached = freshCopy(path.resolve(import.meta.dirname, '../fixtures/fleet-unreached'))
  cpSync(path.join(unreached, 'web4.json'), path.join(fleet, 'web4.json'))
  pack = path.join(work, 'pack.yaml')
  writeFileSync(pack, PACK)
  // web2 is reached with a password; a hostile user name and address stay data in the inventory
  hostsFile = path.join(work, 'hosts.yaml')
  writeFileSync(
    hostsFile,
    [
      'defaults: {user: admin, port: 2222, identityFile: /keys/id_ed25519}',
      'groups:',
      '  web:',
      '    hosts:',
      '      web1: {address: 10.0.0.1}',
      '      web2: {address: 10.0.0.2, passwordEnv: WEB2_PASSWORD}',
      `      web3: {address: 10.0.0.3, user: "{{ lookup('pipe', 'touch PWNED') }}"}`,
      '      web4: {address: 10.0.0.4}',
      '  db:',
      '    hosts:',
      '      db1: {address: 10.0.1.1, user: root}',
      '      db2: {address: 10.0.1.2}',
      '      db3: {address: 10.0.1.3}',
      '',
    ].join('\n'),
  )
  waivers = path.join(work, 'waivers.yaml')
  writeFileSync(waivers, ['waivers:', '  - check: t.max-auth-tries', '    hosts: [db2]', '    reason: "replaced next month"', '    approver: Trưởng phòng', '    expires: 2099-01-01', ''].join('\n'))
})

afterAll(() => rmSync(work, {recursive: true, force: true}))

const planOf = (out: string) => JSON.parse(out) as {hosts: {host: string; fixes: {check: string}[]; manual: {check: string; reason?: {en: string}}[]}[]; waived: {host: string; check: string}[]; notCollected: {host: string}[]; checks: {check: string; hosts: string[]}[]}

describe('hatang fix', () => {
  it('plans from failed findings only: waived, unknown, guarded and hosts not collected get no automatic fix', () => {
    const r = hatang(['fix', fleet, '--dry-run', '--json', '-p', pack, '--hosts', hostsFile, '--ssh-config', 'none', '--waivers', waivers])
    expect(r.status, r.stderr).toBe(0)
    const plan = planOf(r.stdout)
    const fixes = (h: string) => plan.hosts.find((x) => x.host === h)?.fixes.map((f) => f.check) ?? []
    const manual = (h: string) => plan.hosts.find((x) => x.host === h)?.manual ?? []
    // every collected host fails t.max-auth-tries (the fixture's sshd allows 6) but db2, whose finding is waived
    expect(plan.waived).toEqual([expect.objectContaining({host: 'db2', check: 't.max-auth-tries'})])
    expect(fixes('db2')).not.toContain('t.max-auth-tries')
    expect(plan.checks.find((c) => c.check === 't.max-auth-tries')?.hosts.sort()).toEqual(['db1', 'db3', 'web1', 'web2', 'web3'])
    // web2 is reached with a password: the fix that would cut that access is manual there, with the reason
    expect(fixes('web1')).toContain('t.password-auth')
    expect(fixes('web2')).not.toContain('t.password-auth')
    expect(manual('web2').find((m) => m.check === 't.password-auth')?.reason?.en).toMatch(/password/)
    // the manual check keeps the pack's reason
    expect(manual('web1').find((m) => m.check === 't.mac')?.reason?.en).toBe('Needs a reboot.')
    // a result that is unknown is never fixed
    expect(plan.checks.map((c) => c.check)).not.toContain('t.unseen')
    expect((JSON.parse(r.stdout) as {unknown: {host: string; checks: string[]}[]}).unknown.find((u) => u.host === 'web1')?.checks).toContain('t.unseen')
    // the host not collected has no fix
    expect(plan.notCollected.map((n) => n.host)).toEqual(['web4'])
    expect(plan.hosts.map((h) => h.host)).not.toContain('web4')
    // nothing was written
    expect(readdirSync(work).sort()).toEqual(['hosts.yaml', 'pack.yaml', 'waivers.yaml'])
  })

  it('writes a playbook Ansible reads, with the hosts file’s connection and host values as data', () => {
    const out = path.join(work, 'plan')
    const r = hatang(['fix', fleet, '-o', out, '-p', pack, '--hosts', hostsFile, '--ssh-config', 'none', '--waivers', waivers])
    expect(r.status, r.stderr).toBe(0)
    expect(existsSync(path.join(out, 'fixes', 't.max-auth-tries.yml'))).toBe(true)
    const site = readFileSync(path.join(out, 'site.yml'), 'utf8')
    // risky fixes last: the security source (risk none) before sshd's
    expect(site.indexOf('hosts: fix_t_security_source')).toBeLessThan(site.indexOf('hosts: fix_t_max_auth_tries'))
    expect(site).toContain('db2  t.max-auth-tries (medium) — waived by Trưởng phòng until 2099-01-01: replaced next month')
    const syntax = spawnSync('ansible-playbook', ['-i', 'inventory.yml', 'site.yml', '--syntax-check'], {cwd: out, encoding: 'utf8', env: ansibleEnv()})
    expect(syntax.status, syntax.stdout + syntax.stderr).toBe(0)
    const inv = spawnSync('ansible-inventory', ['-i', 'inventory.yml', '--list'], {cwd: out, encoding: 'utf8', env: ansibleEnv()})
    expect(inv.status, inv.stderr).toBe(0)
    const hostvars = (JSON.parse(inv.stdout) as {_meta: {hostvars: Record<string, Record<string, unknown>>}})._meta.hostvars
    expect(hostvars.web1).toMatchObject({ansible_host: {__ansible_unsafe: '10.0.0.1'}, ansible_port: 2222, ansible_user: {__ansible_unsafe: 'admin'}, ansible_become: true, hatang_os_codename: {__ansible_unsafe: 'trixie'}})
    expect(hostvars.db1).not.toHaveProperty('ansible_become')
    expect(hostvars.web3!.ansible_user).toEqual({__ansible_unsafe: "{{ lookup('pipe', 'touch PWNED') }}"})
    expect(Object.keys(hostvars)).not.toContain('web4')
    // every task is tagged with its check and severity
    expect(readFileSync(path.join(out, 'fixes', 't.max-auth-tries.yml'), 'utf8')).toMatch(/tags:\n\s+- t\.max-auth-tries\n\s+- medium/)
  })

  it('writes one shell script per host, valid sh, the host’s facts quoted; a plan written again drops stale files', () => {
    const out = path.join(work, 'sh')
    const r = hatang(['fix', fleet, '-o', out, '--format', 'sh', '-p', pack, '--hosts', hostsFile, '--ssh-config', 'none'])
    expect(r.status, r.stderr).toBe(0)
    const scripts = readdirSync(path.join(out, 'sh')).sort()
    expect(scripts).toEqual(['db1.sh', 'db2.sh', 'db3.sh', 'web1.sh', 'web2.sh', 'web3.sh'])
    for (const s of scripts) expect(spawnSync('sh', ['-n', path.join(out, 'sh', s)]).status).toBe(0)
    const db3 = readFileSync(path.join(out, 'sh', 'db3.sh'), 'utf8')
    expect(db3).toContain('hatang_os_codename=bullseye')
    expect(db3).toContain("hatang_ssh_ports='22 2222'")
    // only web hosts now: the db scripts of the earlier plan go
    const again = hatang(['fix', fleet, '-o', out, '--format', 'sh', '-p', pack, '--hosts', hostsFile, '--ssh-config', 'none', '--limit', 'web'])
    expect(again.status, again.stderr).toBe(0)
    expect(readdirSync(path.join(out, 'sh')).sort()).toEqual(['web1.sh', 'web2.sh', 'web3.sh'])
  })

  it('says what is wrong with the request, exit 2, and writes nothing', () => {
    const noDir = hatang(['fix', fleet, '-p', pack])
    expect(noDir.status).toBe(2)
    expect(noDir.stderr).toMatch(/-o DIR, or --dry-run/)
    const badCheck = hatang(['fix', fleet, '--dry-run', '-p', pack, '--check', 't.nope'])
    expect(badCheck.status).toBe(2)
    expect(badCheck.stderr).toMatch(/--check names 't\.nope', which no loaded pack has/)
    const unwritable = hatang(['fix', fleet, '-p', pack, '-o', '/proc/hatang-fix'])
    expect(unwritable.status).toBe(5)
  })
})
