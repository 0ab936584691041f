import {readFileSync} from 'node:fs'

import {parse} from 'yaml'
import {describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../src/engine/checks/builtin-packs.js'
import {hatang} from '../support/cli.js'

/** The pack files as written, read without hatang's loader: what the commands show must match them. */
const raw = (name: string) => parse(readFileSync(packFile(name), 'utf8')) as {pack: string; checks?: {id: string}[]; fleet?: {id: string; references?: {tcvn?: {group: string}}}[]}

describe('hatang packs', () => {
  it('list counts per-host and fleet checks of every built-in pack', () => {
    const r = hatang(['packs', 'list', '--json'])
    expect(r.status, r.stderr).toBe(0)
    const rows = JSON.parse(r.stdout) as {pack: string; checks: number; fleetChecks: number}[]
    expect(rows.map((x) => x.pack)).toEqual(builtinPackNames())
    for (const row of rows) {
      const file = raw(row.pack)
      expect(row).toMatchObject({checks: file.checks?.length ?? 0, fleetChecks: file.fleet?.length ?? 0})
    }
    expect(rows.find((x) => x.pack === 'fleet-sync')!.fleetChecks).toBeGreaterThan(0)
    const text = hatang(['packs', 'list']).stdout
    expect(text).toMatch(new RegExp(`^fleet-sync\\s+\\S+\\s+${raw('fleet-sync').fleet!.length} fleet checks`, 'm'))
    expect(text).toMatch(new RegExp(`^linux-server\\s+\\S+\\s+${raw('linux-server').checks!.length} checks`, 'm'))
  })

  it('show lists the fleet checks of a fleet pack with their TCVN group', () => {
    const r = hatang(['packs', 'show', 'fleet-sync'])
    expect(r.status, r.stderr).toBe(0)
    const fleet = raw('fleet-sync').fleet!
    for (const c of fleet) expect(r.stdout).toMatch(new RegExp(`^  \\S+\\s+${c.id.replaceAll('.', '\\.')}\\s+${c.references?.tcvn?.group ?? '-'}\\s`, 'm'))
    expect(r.stdout).toContain(`${fleet.length} fleet checks`)
  })

  it('speaks the language of HATANG_LANG, else of a Vietnamese locale, else English; --lang wins', () => {
    const title = (env: NodeJS.ProcessEnv, extra: string[] = []) => hatang(['packs', 'show', 'linux-server', ...extra], {env: {LC_ALL: '', LC_MESSAGES: '', LANG: '', HATANG_LANG: '', ...env}}).stdout.split('\n')[0]
    expect(title({})).toBe('linux-server 0.3.0 — Linux server baseline')
    expect(title({LANG: 'C.UTF-8'})).toMatch(/Linux server baseline$/)
    expect(title({LANG: 'vi_VN.UTF-8'})).toMatch(/Chuẩn cơ sở cho máy chủ Linux$/)
    expect(title({LANG: 'en_US.UTF-8', LC_ALL: 'vi_VN.UTF-8'})).toMatch(/Chuẩn cơ sở cho máy chủ Linux$/)
    expect(title({HATANG_LANG: 'vi', LANG: 'en_US.UTF-8'})).toMatch(/Chuẩn cơ sở cho máy chủ Linux$/)
    expect(title({HATANG_LANG: 'en', LANG: 'vi_VN.UTF-8'})).toMatch(/Linux server baseline$/)
    expect(title({LANG: 'vi_VN.UTF-8'}, ['--lang', 'en'])).toMatch(/Linux server baseline$/)
  })

  it('show --json lists the CIS recommendations of linux-server with benchmark and edition, each with where it was read', () => {
    const r = hatang(['packs', 'show', 'linux-server', '--json'])
    expect(r.status, r.stderr).toBe(0)
    type Cis = {benchmark: string; edition: string; id: string; covers: string; rules: string[]; source: {repo: string; path: string; commit: string}}
    const checks = (JSON.parse(r.stdout) as {checks: {id: string; references?: {cis?: Cis[]}}[]}).checks
    const cis = (id: string) => checks.find((c) => c.id === id)!.references?.cis
    expect(cis('ssh.max-auth-tries')!.map((c) => [c.benchmark, c.edition, c.id, c.rules])).toEqual([
      ['CIS Benchmark for Debian 12', '1.1.0', '5.1.16', ['sshd_set_max_auth_tries']],
      ['CIS Benchmark for Ubuntu 22.04 LTS', '2.0.0', '5.1.16', ['sshd_set_max_auth_tries']],
    ])
    expect(cis('sysctl.ip-forward')!.map((c) => `${c.id} ${c.covers}`)).toEqual(['3.3.1 part', '3.3.1 part'])
    expect(cis('time.offset')).toBeUndefined()
    const all = checks.flatMap((c) => c.references?.cis ?? [])
    expect(checks.filter((c) => c.references?.cis).length).toBeGreaterThanOrEqual(40)
    for (const c of all) {
      expect(c.edition).toMatch(/^\d+\.\d+\.\d+$/)
      expect(c.source).toMatchObject({repo: 'ComplianceAsCode/content', path: expect.stringMatching(/^controls\/cis_(debian12|ubuntu2204)\.yml$/), commit: expect.stringMatching(/^[0-9a-f]{40}$/)})
    }
    const text = hatang(['packs', 'show', 'linux-server']).stdout
    expect(text).toMatch(/^\s+medium\s+ssh\.max-auth-tries\s+server\s+2\s+SSH limits/m)
    expect(text).toContain('CIS Benchmark for Debian 12 v1.1.0 5.1.16; CIS Benchmark for Ubuntu 22.04 LTS v2.0.0 5.1.16')
  })

  it('show of an unknown pack is a usage error', () => {
    const r = hatang(['packs', 'show', 'no-such-pack'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/no pack 'no-such-pack'/)
  })
})
