import {readFileSync} from 'node:fs'

import {beforeAll, describe, expect, it} from 'vitest'

import {scheduledProbe} from '../../../inventory/scheduled.js'
import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {contextOf, loadFixture} from '../../support/fixtures.js'
import {withSection} from '../../support/snapshots.js'

/** The scheduled checks judged on the section as the probe reads a real capture. */
let server: Pack
let base: Snapshot
beforeAll(() => {
  server = loadPack(packFile('linux-server'))
  // a real snapshot of a Debian web server; only its scheduled section is replaced
  base = JSON.parse(readFileSync(new URL('../../fixtures/snapshots/1.0.0/web1.json', import.meta.url), 'utf8')) as Snapshot
})

const verdicts = (platform: string, edit: (f: ReturnType<typeof loadFixture>) => ReturnType<typeof loadFixture> = (f) => f) => {
  const f = edit(loadFixture(platform, 'scheduled'))
  const snapshot = withSection(base, 'scheduled', scheduledProbe.interpret(f.outputs, contextOf(f)))
  const checks = {...server, checks: server.checks.filter((c) => c.id === 'backup.present' || c.id === 'cron.root-world-writable')}
  return Object.fromEntries(runChecks(snapshot, [checks]).results.map((r) => [r.check, {status: r.status, reason: r.reason}]))
}

describe('scheduled checks on captured hosts', () => {
  it('pass capture: a restic job in root crontab is the backup; no root job runs a world-writable program', () => {
    const v = verdicts('debian-11-scheduled-pass')
    expect(v['backup.present']!.status).toBe('pass')
    expect(v['cron.root-world-writable']!.status).toBe('pass')
  })

  it('fail capture: no backup recognised; the root job in /opt/jobs (0777) is named', () => {
    const v = verdicts('debian-11-scheduled-fail')
    expect(v['backup.present']).toMatchObject({status: 'fail', reason: expect.stringMatching(/scheduled\.backup.*0/)})
    expect(v['cron.root-world-writable']).toMatchObject({status: 'fail', reason: expect.stringContaining('/etc/cron.d/cleanup:2')})
  })

  it('this machine and the chroots: no backup; the system jobs of Debian are not world-writable', () => {
    for (const p of ['debian-12-root', 'debian-11-chroot', 'debian-13-chroot']) {
      const v = verdicts(p)
      expect(v['backup.present']!.status, p).toBe('fail')
      expect(v['cron.root-world-writable']!.status, p).toBe('pass')
    }
  })

  it('unprivileged where a spool exists: per-user crontabs unread, both verdicts unknown, never pass', () => {
    const v = verdicts('debian-11-chroot', (f) => ({...f, outputs: {...f.outputs, jobs: {...f.outputs.jobs!, stdout: `!denied /var/spool/cron/crontabs\n${f.outputs.jobs!.stdout}`}}}))
    expect(v['backup.present']!.status).toBe('unknown')
    expect(v['cron.root-world-writable']!.status).toBe('unknown')
  })
})
