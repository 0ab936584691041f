import {mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import type {HostSpec} from '../../src/hosts/model.js'
import {hatang} from '../support/cli.js'

const FIX = 'test/fixtures/hosts'
// a HOME without ~/.ssh/config, so the machine's own ssh_config does not colour the results
const HOME = mkdtempSync(path.join(os.tmpdir(), 'hatang-cli-home-'))
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
    expect(JSON.parse(ok.stdout)).toEqual({valid: true, format: 'hatang', hosts: 7, groups: 5, errors: []})
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
