import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/config/config-error.js'
import type {CheckResult, HostResults} from '../../../src/engine/checks/run-checks.js'
import {countStatuses} from '../../../src/engine/checks/run-checks.js'
import {applyWaivers, isExpired, loadWaivers, unknownChecks, type Waiver} from '../../../src/engine/waivers.js'

const VALID = `waivers:
  - check: ssh.password-authentication      # check id (optionally pack/id)
    hosts: [web01, 'db*']
    groups: [legacy]
    reason: "Vendor appliance; key auth unsupported until 2027"
    approver: "Nguyễn Văn A (Trưởng phòng CNTT)"
    expires: 2027-03-31
`

function errorOf(text: string): ConfigError {
  try {
    loadWaivers('waivers.yaml', text)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

const result = (check: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
  host: 'web01',
  pack: 'linux-server',
  check,
  severity: 'high',
  status,
  ...extra,
})

function host(results: CheckResult[], name = 'web01'): HostResults {
  return {host: name, results: results.map((r) => ({...r, host: name})), counts: countStatuses(results)}
}

const waiver = (extra: Partial<Waiver> = {}): Waiver => ({
  check: 'ssh.password-authentication',
  hosts: ['web01'],
  reason: 'Vendor appliance',
  approver: 'Nguyễn Văn A',
  expires: '2027-03-31',
  source: 'waivers.yaml:2',
  ...extra,
})

// local times, so the tests hold in every time zone
const BEFORE = new Date(2027, 2, 31, 23, 59)
const AFTER = new Date(2027, 3, 1, 0, 0)

describe('the README', () => {
  it('has the "Waivers" section every waiver error points to, and its example is a valid waivers file', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8')
    expect(errorOf('waivers: [{check: x}]').format()).toContain('see "Waivers" in the README')
    const section = /^## Waivers\n([\s\S]*?)\n## /m.exec(readme)
    expect(section, 'README has no "## Waivers" section').not.toBeNull()
    const example = /```yaml\n([\s\S]*?)```/.exec(section![1]!)![1]!
    const waivers = loadWaivers('README.md', example)
    expect(waivers.map((w) => w.check)).toEqual(['ssh.password-authentication', 'fleet-sync/sync.kernel'])
    expect(waivers[0]).toMatchObject({hosts: ['legacy-app01', 'db*'], groups: ['branch-offices'], expires: '2027-03-31'})
  })
})

describe('loadWaivers', () => {
  it('reads a valid file, dates as written, with where each waiver is', () => {
    const w = loadWaivers('waivers.yaml', VALID)
    expect(w).toEqual([
      {
        check: 'ssh.password-authentication',
        hosts: ['web01', 'db*'],
        groups: ['legacy'],
        reason: 'Vendor appliance; key auth unsupported until 2027',
        approver: 'Nguyễn Văn A (Trưởng phòng CNTT)',
        expires: '2027-03-31',
        source: 'waivers.yaml:2',
      },
    ])
    expect(loadWaivers('w.yaml', 'waivers: []\n')).toEqual([])
  })

  it('requires a reason, an approver and an expiry, at file:line:column', () => {
    const e = errorOf(VALID.replace(/ {4}approver: .*\n/, ''))
    expect(e.message).toMatch(/^waivers\.yaml:2:5 \/waivers\/0 must have required property 'approver'/)
    expect(errorOf(VALID.replace(/ {4}reason: .*\n/, '')).message).toMatch(/required property 'reason'/)
    expect(errorOf(VALID.replace(/ {4}expires: .*\n/, '')).message).toMatch(/required property 'expires'/)
  })

  it('refuses unknown keys (closed objects), at the key', () => {
    const e = errorOf(VALID.replace('    groups: [legacy]\n', '    group: [legacy]\n'))
    expect(e.message).toMatch(/^waivers\.yaml:4:5 \/waivers\/0\/group has unknown property 'group'/)
    expect(errorOf(`${VALID}extra: 1\n`).message).toMatch(/^waivers\.yaml:8:1 \/extra has unknown property 'extra'/)
  })

  it('requires a selector', () => {
    const e = errorOf(VALID.replace("    hosts: [web01, 'db*']\n", '').replace('    groups: [legacy]\n', ''))
    expect(e.message).toMatch(/^waivers\.yaml:2:5 \/waivers\/0 names no host: give hosts and\/or groups/)
    expect(errorOf(VALID.replace("[web01, 'db*']", '[]')).message).toMatch(/^waivers\.yaml:3:12 \/waivers\/0\/hosts must NOT have fewer than 1 items/)
  })

  it('refuses a date that is not one, and a malformed check id', () => {
    expect(errorOf(VALID.replace('2027-03-31', '31/03/2027')).message).toMatch(/^waivers\.yaml:7:14 \/waivers\/0\/expires must be a date, YYYY-MM-DD/)
    expect(errorOf(VALID.replace('2027-03-31', '2027-02-30')).message).toMatch(/^waivers\.yaml:7:14 \/waivers\/0\/expires is not a day of the calendar/)
    expect(errorOf(VALID.replace('ssh.password-authentication', 'SSH password')).message).toMatch(/\/waivers\/0\/check must be a check id, or pack\/id/)
  })

  it('reports YAML syntax errors at their place, and every problem', () => {
    expect(errorOf('waivers:\n  - check: [a\n').message).toMatch(/^waivers\.yaml:\d+:\d+ is not valid YAML/)
    const two = `${VALID}${VALID.replace('waivers:\n', '').replace(/ {4}reason: .*\n/, '').replace(/ {4}approver: .*\n/, '')}`
    expect(errorOf(two).all().length).toBeGreaterThanOrEqual(2)
  })
})

describe('applyWaivers', () => {
  const failing = result('ssh.password-authentication', 'fail', {reason: 'sshd.passwordAuthentication is true'})

  it('waives a matching failure until the end of its last day, keeping the original status and the waiver', () => {
    const h = applyWaivers(host([failing, result('ssh.root-login', 'fail')]), {name: 'web01'}, [waiver()], BEFORE)
    expect(h.results[0]).toMatchObject({
      status: 'waived',
      reason: 'sshd.passwordAuthentication is true',
      waiver: {status: 'fail', reason: 'Vendor appliance', approver: 'Nguyễn Văn A', expires: '2027-03-31', source: 'waivers.yaml:2'},
    })
    expect(h.results[1]!.status).toBe('fail')
    expect(h.counts).toMatchObject({fail: 1, waived: 1})
  })

  it('counts a result under an expired waiver as a failure, with a note', () => {
    expect(isExpired(waiver(), BEFORE)).toBe(false)
    expect(isExpired(waiver(), AFTER)).toBe(true)
    const h = applyWaivers(host([failing]), {name: 'web01'}, [waiver()], AFTER)
    expect(h.results[0]!.status).toBe('fail')
    expect(h.results[0]!.waiver).toBeUndefined()
    expect(h.results[0]!.note).toMatch(/^waiver expired on 2027-03-31 \(waivers\.yaml:2, approved by Nguyễn Văn A\)/)
    expect(h.counts.fail).toBe(1)
    const unknown = applyWaivers(host([result('ssh.password-authentication', 'unknown', {reason: 'sshd: partial'})]), {name: 'web01'}, [waiver()], AFTER)
    expect(unknown.results[0]).toMatchObject({status: 'fail', reason: 'sshd: partial', note: expect.stringMatching(/^waiver expired on 2027-03-31/)})
  })

  it('prefers a live waiver to an expired one', () => {
    const h = applyWaivers(host([failing]), {name: 'web01'}, [waiver({expires: '2020-01-01'}), waiver({expires: '2028-01-01'})], AFTER)
    expect(h.results[0]!.waiver?.expires).toBe('2028-01-01')
  })

  it('waives unknown results, never passing or not-applicable ones', () => {
    const rs = [result('ssh.password-authentication', 'unknown', {reason: 'sshd: partial'})]
    const h = applyWaivers(host(rs), {name: 'web01'}, [waiver()], BEFORE)
    expect(h.results[0]).toMatchObject({status: 'waived', waiver: {status: 'unknown'}})
    for (const status of ['pass', 'not-applicable'] as const) {
      const r = result('ssh.password-authentication', status)
      expect(applyWaivers(host([r]), {name: 'web01'}, [waiver()], BEFORE).results[0]).toEqual(r)
    }
  })

  it('matches hosts by name or glob (any case), groups, and the check by id or pack/id', () => {
    const w = waiver({hosts: ['db*'], groups: ['legacy']})
    const on = (name: string, groups?: string[], ww = w) => applyWaivers(host([failing], name), {name, groups}, [ww], BEFORE).results[0]!.status
    expect(on('db01')).toBe('waived')
    expect(on('DB02')).toBe('waived')
    expect(on('web01')).toBe('fail')
    expect(on('web01', ['legacy'])).toBe('waived')
    expect(on('web01', ['web'])).toBe('fail')
    expect(on('db01', undefined, waiver({hosts: ['db*'], check: 'linux-server/ssh.password-authentication'}))).toBe('waived')
    expect(on('db01', undefined, waiver({hosts: ['db*'], check: 'other-pack/ssh.password-authentication'}))).toBe('fail')
    expect(on('db01', undefined, waiver({hosts: ['db*'], check: 'ssh.root-login'}))).toBe('fail')
  })

  it('keeps the host untouched without waivers, and names waivers of checks no pack has', () => {
    const h = host([failing])
    expect(applyWaivers(h, {name: 'web01'}, [], BEFORE)).toBe(h)
    const packs = [{pack: 'linux-server', checks: [{id: 'ssh.password-authentication'}]}]
    expect(unknownChecks([waiver(), waiver({check: 'linux-server/ssh.password-authentication'}), waiver({check: 'ssh.typo'})], packs).map((w) => w.check)).toEqual(['ssh.typo'])
  })
})
