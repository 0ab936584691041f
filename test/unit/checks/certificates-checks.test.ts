import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {certificatesProbe} from '../../../inventory/certificates.js'
import {evaluate} from '../../../src/engine/checks/assertion.js'
import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {whyText} from '../../../src/report/why-text.js'
import {contextOf, FIXTURES, loadFixture} from '../../support/fixtures.js'
import {withData, withSection} from '../../support/snapshots.js'

/**
 * The certificate checks on real captures (scripts/capture-certificates.sh): certificates generated with chosen
 * validity, read by the real probe. Each host is judged at the time of its capture (platform.json capturedAt, a
 * fixed date), never at today's.
 */
const server = loadPack(packFile(builtinPackNames().find((n) => n === 'linux-server')!))
const CHECKS = ['cert.expired', 'cert.expiring', 'cert.weak']
const base = loadSnapshots([path.join(FIXTURES, 'fleet', 'web1.json')])[0]!
const capturedAt = (platform: string) => (JSON.parse(readFileSync(path.join(FIXTURES, platform, 'platform.json'), 'utf8')) as {capturedAt: string}).capturedAt
function hostOf(platform: string, collectedAt = capturedAt(platform)): Snapshot {
  const f = loadFixture(platform, 'certificates')
  const s = withSection(base, 'certificates', certificatesProbe.interpret(f.outputs, contextOf(f)))
  return {...s, meta: {...s.meta, collectedAt}}
}
const verdicts = (s: Snapshot) => {
  const results = runChecks(s, [{...server, checks: server.checks.filter((c) => CHECKS.includes(c.id))}]).results
  return Object.fromEntries(results.map((r) => [r.check, {status: r.status, reason: r.reason}]))
}

describe('certificate checks on captured hosts', () => {
  it('all valid and strong (nginx and haproxy certificates): every check passes', () => {
    expect(Object.values(verdicts(hostOf('debian-12-certs-good'))).map((v) => v.status)).toEqual(['pass', 'pass', 'pass'])
  })

  it('the apache certificate of 2020 has expired, the postfix one expires in 20 days, localhost.crt is RSA 1024 / SHA-1', () => {
    const v = verdicts(hostOf('debian-12-certs'))
    expect(v['cert.expired']).toEqual({status: 'fail', reason: 'certificates.files: /etc/ssl/legacy/portal.crt'})
    expect(v['cert.expiring']).toEqual({status: 'fail', reason: 'certificates.files: /etc/letsencrypt/live/mail.example/cert.pem, /etc/letsencrypt/live/mail.example/fullchain.pem'})
    expect(v['cert.weak']).toEqual({status: 'fail', reason: 'certificates.files: /etc/pki/tls/certs/localhost.crt'})
  })

  it('judged at another time, by the captured dates: before 2021 the apache one had not expired; 21 days on, the postfix one has', () => {
    const host = hostOf('debian-12-certs')
    const files = (host.sections as unknown as {certificates: {data: {files: {path: string; notAfter?: string}[]}}}).certificates.data.files
    const mail = Date.parse(files.find((f) => f.path === '/etc/letsencrypt/live/mail.example/cert.pem')!.notAfter!)
    const before2021 = verdicts({...host, meta: {...host.meta, collectedAt: '2020-06-01T00:00:00.000Z'}})
    expect(before2021['cert.expired']!.status).toBe('pass')
    const later = verdicts({...host, meta: {...host.meta, collectedAt: new Date(mail + 86_400_000).toISOString()}})
    expect(later['cert.expired']!.reason).toBe('certificates.files: /etc/ssl/legacy/portal.crt, /etc/letsencrypt/live/mail.example/cert.pem, /etc/letsencrypt/live/mail.example/fullchain.pem')
  })

  it('as an ordinary user, what needs root leaves the checks unknown, not passed', () => {
    const v = verdicts(hostOf('debian-12-certs-user'))
    // the expired and the weak certificates are readable by anyone: found all the same
    expect(v['cert.expired']!.status).toBe('fail')
    expect(v['cert.weak']!.status).toBe('fail')
    // the expiring one lies under /etc/letsencrypt (root only): unknown
    expect(v['cert.expiring']).toMatchObject({status: 'unknown'})
    expect(v['cert.expiring']!.reason).toMatch(/certificates\.files\[\/etc\/haproxy\/certs\/site\.pem\]\.notAfter is not reported/)
  })
})

describe('minDaysAhead', () => {
  const at = (collectedAt: string, notAfter: unknown): Snapshot => {
    const s = withData(base, 'certificates', {files: [{path: '/x.crt', state: 'read', notAfter}]})
    return {...s, meta: {...s.meta, collectedAt}}
  }
  const a = {path: ['certificates', 'files', '0', 'notAfter'], minDaysAhead: 30}

  it('passes a date at least N days after the snapshot, fails one sooner with the days left, in both languages', () => {
    expect(evaluate(a, at('2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z'))).toEqual({verdict: 'pass'})
    const o = evaluate(a, at('2026-01-01T00:00:00Z', '2026-01-30T23:59:59Z'))
    expect(o).toMatchObject({verdict: 'fail', reason: 'certificates.files.0.notAfter is "2026-01-30T23:59:59Z", 29 days after the snapshot, expected at least 30'})
    expect(whyText(o.why!, 'en')).toBe('certificates.files.0.notAfter is "2026-01-30T23:59:59Z", 29 days after the snapshot, expected at least 30')
    expect(whyText(o.why!, 'vi')).toMatch(/^.+ là "2026-01-30T23:59:59Z", cách thời điểm thu thập 29 ngày, yêu cầu còn ít nhất 30 ngày$/)
    // a date already past: negative days
    expect(evaluate({...a, minDaysAhead: 0}, at('2026-01-01T00:00:00Z', '2025-12-01T00:00:00Z'))).toMatchObject({verdict: 'fail', reason: expect.stringContaining('-31 days after the snapshot')})
  })

  it('is unknown for what is not a date, or a snapshot without its time', () => {
    expect(evaluate(a, at('2026-01-01T00:00:00Z', 'soon'))).toMatchObject({verdict: 'unknown', reason: 'certificates.files.0.notAfter is "soon", not a date'})
    expect(evaluate(a, at('not a time', '2026-06-01T00:00:00Z'))).toMatchObject({verdict: 'unknown', reason: 'meta.collectedAt is not a date'})
    expect(evaluate(a, at('2026-01-01T00:00:00Z', undefined))).toMatchObject({verdict: 'unknown'})
  })
})
