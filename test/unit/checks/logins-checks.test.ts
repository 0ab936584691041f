import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {accountsProbe} from '../../../inventory/accounts.js'
import {loginsProbe} from '../../../inventory/logins.js'
import {passwordPolicyProbe} from '../../../inventory/password-policy.js'
import {sshdProbe} from '../../../inventory/sshd.js'
import type {AnyProbe} from '../../../inventory/kit/probe.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {withSection} from '../../support/snapshots.js'

/**
 * The checks of accounts in use and of the password policy, judged on real captures (scripts/capture-logins.sh and
 * capture-fixtures.ts): the sections their probes read there, on a host of the captured fleet, collected on the
 * day of the capture (so that nothing here changes with the calendar).
 */
const IDS = ['accounts.unused', 'accounts.shared-uid', 'accounts.root-password-ssh', 'password.min-length', 'password.complexity', 'password.lockout', 'password.history']
const server = loadPack(packFile(builtinPackNames().find((n) => n === 'linux-server')!))
const checks = {...server, checks: server.checks.filter((c) => IDS.includes(c.id))}
const base = JSON.parse(readFileSync(path.join(FIXTURES, 'fleet', 'db1.json'), 'utf8')) as Snapshot

/** The probes' sections of a capture, in a snapshot collected `laterDays` days after the capture. */
function captured(platform: string, probes: AnyProbe[], laterDays = 0): Snapshot {
  const capturedAt = (JSON.parse(readFileSync(path.join(FIXTURES, platform, 'platform.json'), 'utf8')) as {capturedAt: string}).capturedAt
  const collectedAt = new Date(Date.parse(capturedAt) + laterDays * 86_400_000).toISOString()
  let s: Snapshot = {...base, meta: {...base.meta, collectedAt}}
  for (const probe of probes) {
    const f = loadFixture(platform, probe.id)
    s = withSection(s, probe.id, probe.interpret(f.outputs, contextOf(f)))
  }
  return s
}
const verdicts = (s: Snapshot) => Object.fromEntries(runChecks(s, [checks]).results.map((r) => [r.check, r.status]))
const reasons = (s: Snapshot) => Object.fromEntries(runChecks(s, [checks]).results.map((r) => [r.check, r.reason]))
const ALL = [accountsProbe, loginsProbe, sshdProbe, passwordPolicyProbe] as AnyProbe[]

describe('accounts in use and password policy on real captures', () => {
  it('the fail lab: an unused account, a shared UID, root by password, a weak policy', () => {
    const s = captured('debian-11-logins-fail', ALL)
    expect(verdicts(s)).toEqual(Object.fromEntries(IDS.map((id) => [id, 'fail'])))
    const why = reasons(s)
    expect(why['accounts.unused']).toMatch(/^not disabled, unused for more than 45 days: ana \(never logged in, password set \d+ days before\)$/)
    expect(why['accounts.shared-uid']).toBe('accounts share a UID: 1500 (ana, ana-svc)')
    expect(why['password.lockout']).toMatch(/deny\.value is 10, expected ≤ 5/)
    expect(why['password.history']).toMatch(/remember\.value is 2, expected ≥ 5/)
  })

  it('the pass lab: the active account logged in, the idle one locked, root without a password, a strong policy', () => {
    expect(verdicts(captured('debian-11-logins-pass', ALL))).toEqual(Object.fromEntries(IDS.map((id) => [id, 'pass'])))
  })

  it("this machine's PAM defaults fail the policy; as nobody, what needs root is unknown, never pass", () => {
    const here = verdicts(captured('debian-12-root', [passwordPolicyProbe]))
    expect([here['password.min-length'], here['password.complexity'], here['password.lockout'], here['password.history']]).toEqual(['fail', 'fail', 'fail', 'fail'])
    // an unprivileged run has no shadow (accounts.passwords absent): whether ana is disabled is unknown, never pass
    const lab = captured('debian-11-logins-fail', [accountsProbe, loginsProbe])
    const {passwords: _, ...noShadow} = lab.sections.accounts!.data!
    const blind = withSection(lab, 'accounts', {status: 'partial', reason: 'needs root: password status', data: noShadow})
    expect(verdicts(blind)['accounts.unused']).toBe('unknown')
    expect(reasons(blind)['accounts.unused']).toBe('whether ana are disabled is unknown: password status needs root')
    expect(verdicts(blind)['accounts.shared-uid']).toBe('fail')
  })

  it('Debian 13 without lastlog: whether accounts are unused is unknown', () => {
    const s = captured('debian-13-chroot', [accountsProbe, loginsProbe])
    expect(verdicts(s)['accounts.unused']).toBe('unknown')
    expect(reasons(s)['accounts.unused']).toBe('last logins unknown: neither lastlog nor lastlog2 is installed')
  })

  it('Debian 13 with lastlog2 (which lists only accounts that logged in): on the capture day pass; 46 days later an, binh, dung and chi (never logged in) are unused', () => {
    const day0 = captured('debian-13-lastlog2', [accountsProbe, loginsProbe])
    expect(verdicts(day0)['accounts.unused']).toBe('pass')
    const later = captured('debian-13-lastlog2', [accountsProbe, loginsProbe], 46)
    expect(verdicts(later)['accounts.unused']).toBe('fail')
    const last = (name: string) => later.sections.logins!.data!.lastLog.accounts.find((a) => a.name === name)!.lastLogin!.slice(0, 10)
    expect(reasons(later)['accounts.unused']).toBe(
      `not disabled, unused for more than 45 days: an (last login ${last('an')}, 46 days before), binh (last login ${last('binh')}, 46 days before), chi (never logged in, password set 46 days before), dung (last login ${last('dung')}, 46 days before)`,
    )
  })
})
