import path from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {accessProbe} from '../../../inventory/access.js'
import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import {runFleetChecks} from '../../../src/engine/fleet/run-fleet.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {asHost, withSection} from '../../support/snapshots.js'

/** The access checks on sections interpreted from real captures (scripts/capture-access.sh), not on edited data. */
let base: Snapshot
let server: Pack
let fleet: Pack
beforeAll(() => {
  base = loadSnapshots([path.join(FIXTURES, 'fleet', 'web1.json')])[0]!
  server = loadPack(packFile('linux-server'))
  fleet = loadPack(packFile('fleet-sync'))
})

const captured = (platform: string): Snapshot => {
  const f = loadFixture(platform, 'access')
  return withSection(base, 'access', accessProbe.interpret(f.outputs, contextOf(f)))
}
const verdicts = (platform: string) => {
  const results = runChecks(captured(platform), [{...server, checks: server.checks.filter((c) => c.id === 'keys.weak' || c.id === 'sudo.nopasswd-all')}]).results
  return Object.fromEntries(results.map((r) => [r.check, {status: r.status, reason: r.reason}]))
}

describe('keys and sudo checks on real captures', () => {
  it('fail: a 1024-bit RSA key, a DSA key and alice ALL=(ALL) NOPASSWD: ALL', () => {
    const v = verdicts('debian-13-access-fail')
    expect(v['keys.weak']).toMatchObject({status: 'fail', reason: expect.stringContaining('/home/alice/.ssh/authorized_keys:1')})
    expect(v['sudo.nopasswd-all']).toMatchObject({status: 'fail', reason: expect.stringContaining('/etc/sudoers.d/alice:1')})
  })

  it('pass: an ed25519 key; alice asked a password; backup (no login shell) allowed rsync without one', () => {
    const v = verdicts('debian-13-access-pass')
    expect(v['keys.weak']!.status).toBe('pass')
    expect(v['sudo.nopasswd-all']!.status).toBe('pass')
  })

  it('unprivileged: root’s keys and sudoers unread, so both unknown, never pass', () => {
    const v = verdicts('debian-12-user')
    expect(v['keys.weak']).toMatchObject({status: 'unknown', reason: expect.stringContaining('keyCount')})
    expect(v['sudo.nopasswd-all']!.status).toBe('unknown')
  })

  it('fleet: the same captured key on two hosts is shared, named on both; distinct keys pass', () => {
    const fail = captured('debian-13-access-fail')
    const pass = captured('debian-13-access-pass')
    const shared = fleet.fleet!.filter((c) => c.id === 'keys.shared')
    const run = (snaps: Snapshot[]) => runFleetChecks(snaps, [{...fleet, fleet: shared}])[0]!
    const bad = run([asHost(fail, 'a'), asHost(fail, 'b'), asHost(pass, 'c')])
    expect(bad).toMatchObject({status: 'fail'})
    expect(bad.outliers.map((o) => o.host)).toEqual(['a', 'b'])
    expect(run([asHost(fail, 'a'), asHost(pass, 'b')])).toMatchObject({status: 'pass'})
  })
  it('sudo.nopasswd-all: unknown while an include was not read and no rule read allows it; fail when one does', () => {
    const only = {...server, checks: server.checks.filter((c) => c.id === 'sudo.nopasswd-all')}
    const unread = (platform: string): Snapshot => {
      const s = captured(platform)
      const access = s.sections.access!
      const sudo = access.data!.sudo!
      const {allRead: _all, ...rest} = sudo
      return withSection(s, 'access', {...access, status: 'partial', reason: 'sudoers includes not read: /opt/sudoers', data: {...access.data!, sudo: {...rest, notRead: ['/opt/sudoers']}}})
    }
    expect(runChecks(captured('debian-13-access-pass'), [only]).results[0]!.status).toBe('pass')
    expect(runChecks(unread('debian-13-access-pass'), [only]).results[0]!.status).toBe('unknown')
    expect(runChecks(unread('debian-13-access-fail'), [only]).results[0]!.status).toBe('fail')
  })
})
