import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {hostReview, reviewLimitsOf} from '../../../src/runs/host-review.js'
import {FIXTURES} from '../../support/fixtures.js'
import {withSection} from '../../support/snapshots.js'

// the captured chroot fleet (scripts/make-fleet-fixture.sh): web1's own certificate expires 20 days after collection,
// db3's olduser has had a password since January 2020 and never logged in
const fleet = (name: string): Snapshot => loadSnapshots([path.join(FIXTURES, 'fleet', `${name}.json`)])[0]!
const server = (): Pack => loadPack(packFile('linux-server'))

describe('a host review', () => {
  it('takes its limits from the checks of the run: the built-in ones, or a pack of the user’s own', () => {
    expect(reviewLimitsOf([server()])).toEqual({idleDays: 45, expiringDays: 30})
    const own = server()
    const strict = {
      ...own,
      checks: own.checks.map((c) =>
        c.id === 'accounts.unused' ? {...c, assert: {unusedAccounts: {maxIdleDays: 90}}} : c.id === 'cert.expiring' ? {...c, assert: {path: 'certificates.files', none: {path: 'notAfter', minDaysAhead: 60}}} : c,
      ),
    } as Pack
    expect(reviewLimitsOf([strict])).toEqual({idleDays: 90, expiringDays: 60})
    // no pack judging them: the built-in packs' limits
    expect(reviewLimitsOf([])).toEqual({idleDays: 45, expiringDays: 30})
  })

  it('lists what a committee asks first, with days counted from the collection', () => {
    const web1 = hostReview(fleet('web1'), {idleDays: 45, expiringDays: 30})
    expect(web1.certificates!.files).toEqual([expect.objectContaining({path: '/etc/ssl/web/web1.example.vn.pem', subject: 'CN=web1.example.vn', daysLeft: 19, key: 'rsa 2048', selfSigned: true})])
    expect(web1.jobs!.map((j) => j.source)).toContain('apt-daily.timer')
    expect(web1.backup).toEqual([])
    expect(web1.sudo!.map((r) => r.who.join(','))).toEqual(['root', '%sudo'])
    const db3 = fleet('db3')
    const review = hostReview(db3, {idleDays: 45, expiringDays: 30})
    const days = Math.floor((Date.parse(db3.meta.collectedAt) - Date.parse('2020-01-15T00:00:00Z')) / 86_400_000)
    expect(review.unusedAccounts).toEqual({idleDays: 45, accounts: [{name: 'olduser', days}], undetermined: []})
    // a longer limit than its idle days: not unused
    expect(hostReview(db3, {idleDays: days + 1, expiringDays: 30}).unusedAccounts!.accounts).toEqual([])
  })

  it('leaves a part out when its section was not read, never "none"', () => {
    let s = fleet('web2')
    for (const id of ['scheduled', 'certificates', 'access', 'storage', 'containers', 'sources', 'boot', 'passwordPolicy', 'logins']) s = withSection(s, id, {status: 'unavailable', reason: 'needs root'})
    expect(hostReview(s, {idleDays: 45, expiringDays: 30})).toEqual({})
    const full = hostReview(fleet('web2'), {idleDays: 45, expiringDays: 30})
    expect(Object.keys(full).sort()).toEqual(['backup', 'boot', 'certificates', 'containers', 'jobs', 'passwordPolicy', 'sources', 'storage', 'sudo'])
  })
})
