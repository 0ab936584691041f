import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectHost} from '../../../src/collect/collect-host.js'
import {ConfigError} from '../../../src/config/config-error.js'
import {evaluate} from '../../../src/engine/checks/assertion.js'
import {findRelease, lastSupportDay, loadEolData} from '../../../src/engine/checks/eol.js'
import {eolReviewWarning, eolReviewWarnings} from '../../../src/engine/checks/eol-review.js'
import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {runChecks} from '../../../src/engine/checks/run-checks.js'
import {loadReasonBook} from '../../../src/report/reason-book.js'
import {whyText} from '../../../src/report/why-text.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {LocalTransport} from '../../../src/transport/local-transport.js'
import {withData, withSection} from '../../support/snapshots.js'

let base: Snapshot
let dir: string
beforeAll(async () => {
  base = await collectHost(new LocalTransport(), {})
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-eol-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** A host running distribution+version, collected on `day`. */
function host(distribution: string, versionId: string | undefined, day: string): Snapshot {
  const s = withSection(base, 'os', {status: 'ok', data: {family: 'Linux', kernel: '6.1.0', architecture: 'x86_64', distribution, ...(versionId ? {versionId} : {})}})
  return {...s, meta: {...s.meta, collectedAt: `${day}T12:00:00.000Z`}}
}

describe('end-of-life data (checks/data/eol.yaml)', () => {
  const data = loadEolData('eol')

  it('loads, validates, and covers Debian, Ubuntu LTS, RHEL, Rocky, AlmaLinux and Windows client and server, each row with its source and the day it was checked', () => {
    const distributions = new Set(data.releases.map((r) => r.distribution))
    for (const d of ['debian', 'ubuntu', 'rhel', 'rocky', 'almalinux', 'windows', 'windows-server']) expect(distributions, d).toContain(d)
    for (const r of data.releases) {
      expect(data.sources.map((s) => s.name), `${r.name} names a listed source`).toContain(r.source)
      expect(r.checked <= data.reviewed, `${r.name} was checked by the file's review`).toBe(true)
      if (r.released) expect(r.released < r.eol, `${r.name} is released before it ends`).toBe(true)
    }
    for (const v of ['20.04', '22.04', '24.04', '26.04']) expect(findRelease(data, 'ubuntu', v)?.name).toBe(`Ubuntu ${v} LTS`)
  })

  it('tells a community extension (Debian LTS) from a paid one (ELTS, Ubuntu Pro); interim Ubuntu releases have none', () => {
    expect(findRelease(data, 'debian', '12')?.extended?.map((x) => x.kind)).toEqual(['community', 'paid'])
    expect(findRelease(data, 'ubuntu', '22.04')?.extended?.every((x) => x.kind === 'paid')).toBe(true)
    for (const v of ['25.04', '25.10']) expect(findRelease(data, 'ubuntu', v)?.extended, v).toBeUndefined()
  })

  it('matches a version exactly, or by its major part before a dot (RHEL 9.4 is RHEL 9), never by a bare prefix', () => {
    expect(findRelease(data, 'rhel', '9.4')?.name).toBe('Red Hat Enterprise Linux 9')
    expect(findRelease(data, 'rocky', '8.10')?.name).toBe('Rocky Linux 8')
    expect(findRelease(data, 'debian', '12')?.name).toBe('Debian 12 (bookworm)')
    expect(findRelease(data, 'debian', '1')).toBeUndefined()
    expect(findRelease(data, 'rhel', '90')).toBeUndefined()
    expect(findRelease(data, 'windows-server', '10.0.20348.2762')?.name).toBe('Windows Server 2022')
  })
})

/** A data file with one release: Debian 12 as distro-info-data gives it. */
const ONE =
  "dataset: eol\nreviewed: 2026-12-06\nsources: [{name: S, url: 'https://x'}]\nreleases:\n" +
  '  - {distribution: debian, version: "12", name: D12, eol: 2026-07-11, extended: [{name: Debian LTS, kind: community, end: 2028-06-30}, {name: Freexian ELTS, kind: paid, end: 2033-06-30}], source: S, checked: 2026-12-06}\n'

describe('the eol assertion', () => {
  const any = {eol: {data: 'eol'}}
  const regular = {eol: {data: 'eol', support: 'regular' as const}}

  it('without support: passes while any support remains, and fails the day after the last one: no support of any kind', () => {
    expect(evaluate(any, host('debian', '11', '2031-06-30'))).toEqual({verdict: 'pass'})
    expect(evaluate(any, host('debian', '11', '2031-07-01'))).toEqual({
      verdict: 'fail',
      reason: 'Debian 11 (bullseye): no security support of any kind: the last ended on 2031-06-30',
      why: {t: 'eol.noSupport', p: {name: 'Debian 11 (bullseye)', end: '2031-06-30'}},
    })
    // an interim Ubuntu release has nothing after its 9 months
    expect(evaluate(any, host('ubuntu', '25.04', '2026-01-15')).verdict).toBe('pass')
    expect(evaluate(any, host('ubuntu', '25.04', '2026-01-16')).why?.t).toBe('eol.noSupport')
    expect(evaluate(any, host('rocky', '9.5', '2026-11-24')).verdict).toBe('pass')
  })

  it("with support: regular, fails once the vendor's regular support has ended, naming the extension left, its kind and its end", () => {
    expect(evaluate(regular, host('debian', '12', '2026-07-11'))).toEqual({verdict: 'pass'})
    expect(evaluate(regular, host('debian', '12', '2026-07-12'))).toEqual({
      verdict: 'fail',
      reason: "Debian 12 (bookworm): the vendor's regular security support ended on 2026-07-11; only Debian LTS (community) until 2028-06-30",
      why: {t: 'eol.onlyCommunity', p: {name: 'Debian 12 (bookworm)', eol: '2026-07-11', extension: 'Debian LTS', end: '2028-06-30'}},
    })
    expect(evaluate(regular, host('debian', '12', '2028-07-01')).why).toEqual({t: 'eol.onlyPaid', p: {name: 'Debian 12 (bookworm)', eol: '2026-07-11', extension: 'Freexian ELTS', end: '2033-06-30'}})
    expect(evaluate(regular, host('ubuntu', '20.04', '2026-12-06')).reason).toBe("Ubuntu 20.04 LTS: the vendor's regular security support ended on 2025-05-29; only Ubuntu Pro ESM (paid) until 2030-04-23")
    // past every extension it says so, as without support
    expect(evaluate(regular, host('debian', '8', '2026-12-06')).why?.t).toBe('eol.noSupport')
  })

  it('with withinDays, fails while support still runs but ends soon: the regular end, or the last one', () => {
    const soon = {eol: {data: 'eol', support: 'regular' as const, withinDays: 180}}
    expect(evaluate(soon, host('debian', '13', '2026-12-06'))).toEqual({verdict: 'pass'})
    expect(evaluate(soon, host('debian', '13', '2028-03-01'))).toEqual({
      verdict: 'fail',
      reason: "Debian 13 (trixie): the vendor's regular security support ends on 2028-08-09, in 161 days",
      why: {t: 'eol.regularEndsSoon', p: {name: 'Debian 13 (trixie)', end: '2028-08-09', days: 161}},
    })
    const last = evaluate({eol: {data: 'eol', withinDays: 30}}, host('ubuntu', '25.10', '2026-07-01'))
    expect(last).toEqual({verdict: 'fail', reason: 'Ubuntu 25.10: all security support ends on 2026-07-09, in 8 days', why: {t: 'eol.allEndsSoon', p: {name: 'Ubuntu 25.10', end: '2026-07-09', days: 8}}})
  })

  it('is unknown for an OS that is not in the data, a release without a version, or no os section', () => {
    expect(evaluate(any, host('gentoo', '2.15', '2026-11-24'))).toEqual({
      verdict: 'unknown',
      reason: 'gentoo 2.15 is not in the end-of-life data (checks/data/eol.yaml)',
      why: {t: 'eol.notInData', p: {distribution: 'gentoo', version: '2.15', file: 'checks/data/eol.yaml'}},
    })
    expect(evaluate(any, host('debian', undefined, '2026-11-24')).why).toEqual({t: 'eol.noVersion', p: {distribution: 'debian'}})
    const blind = withSection(base, 'os', {status: 'unavailable', reason: 'not supported on Windows'})
    expect(evaluate(any, blind)).toEqual({verdict: 'unknown', reason: 'os: unavailable (not supported on Windows)', why: {t: 'eol.osNotReadBecause', p: {status: 'unavailable', detail: 'not supported on Windows'}}})
  })

  it('judges this machine from its real snapshot', () => {
    const o = evaluate(any, base)
    const {distribution, versionId} = base.sections.os.data ?? {}
    const release = distribution && versionId ? findRelease(loadEolData('eol'), distribution, versionId) : undefined
    if (!release) expect(o.verdict).toBe('unknown')
    else expect(o.verdict).toBe(Date.parse(base.meta.collectedAt) < Date.parse(`${lastSupportDay(release)}T00:00:00Z`) + 86_400_000 ? 'pass' : 'fail')
  })

  it('gives the built-in packs two verdicts: critical when no support is left, medium when only an extension is (os.eol-soon then does not apply)', () => {
    const packs = [loadPack(packFile('linux-server'))]
    const verdicts = (s: Snapshot) => Object.fromEntries(runChecks(s, packs).results.filter((r) => r.check.startsWith('os.eol')).map((r) => [r.check, `${r.status} ${r.severity}`]))
    expect(verdicts(host('debian', '12', '2026-12-06'))).toEqual({'os.eol': 'pass critical', 'os.eol-regular': 'fail medium', 'os.eol-soon': 'not-applicable medium'})
    expect(verdicts(host('ubuntu', '25.04', '2026-12-06'))).toEqual({'os.eol': 'fail critical', 'os.eol-regular': 'not-applicable medium', 'os.eol-soon': 'not-applicable medium'})
    expect(verdicts(host('ubuntu', '24.04', '2026-12-06'))).toEqual({'os.eol': 'pass critical', 'os.eol-regular': 'pass medium', 'os.eol-soon': 'pass medium'})
  })

  it('has every reason template in Vietnamese and English, each given every parameter it names', () => {
    const outcomes = [
      evaluate(any, host('debian', '8', '2026-12-06')),
      evaluate(regular, host('debian', '12', '2026-12-06')),
      evaluate(regular, host('debian', '11', '2026-12-06')),
      evaluate({eol: {data: 'eol', support: 'regular', withinDays: 180}}, host('debian', '13', '2028-03-01')),
      evaluate({eol: {data: 'eol', withinDays: 30}}, host('ubuntu', '25.10', '2026-07-01')),
      evaluate(any, host('gentoo', '2.15', '2026-11-24')),
      evaluate(any, host('debian', undefined, '2026-11-24')),
      evaluate(any, withSection(base, 'os', {status: 'unavailable', reason: 'no os-release'})),
      evaluate(any, withSection(base, 'os', {status: 'timeout'})),
      evaluate(any, withSection(base, 'os', {status: 'ok', data: {family: 'Linux', kernel: '6.1.0', architecture: 'x86_64'}})),
      evaluate(any, {...host('debian', '12', '2026-12-06'), meta: {...base.meta, collectedAt: 'not a day'}}),
    ]
    const book = loadReasonBook()
    const ours = [...book.templates.keys()].filter((t) => t.startsWith('eol.'))
    expect(new Set(outcomes.map((o) => o.why?.t))).toEqual(new Set(ours))
    for (const o of outcomes) {
      const texts = book.templates.get(o.why!.t)!
      for (const lang of ['en', 'vi'] as const) {
        const named = [...texts[lang].matchAll(/\{([A-Za-z0-9]+)\}/g)].map((m) => m[1])
        for (const n of named) expect(o.why!.p, `${o.why!.t} ${lang} names {${n}}`).toHaveProperty(n!)
        const text = whyText(o.why, lang)!
        expect(text, `${o.why!.t} ${lang}`).not.toMatch(/[{}]/)
        for (const v of Object.values(o.why!.p ?? {})) expect(text).toContain(String(v))
      }
    }
    expect(whyText(outcomes[1]!.why, 'vi')).toBe('Debian 12 (bookworm): hỗ trợ bảo mật thường lệ của nhà cung cấp đã kết thúc ngày 2026-07-11; chỉ còn Debian LTS đến ngày 2028-06-30 (hỗ trợ cộng đồng, miễn phí, chỉ cho một số gói)')
  })

  it('is refused by the pack loader when it names no data set, at its file:line', () => {
    const text =
      'pack: p\nversion: 1.0.0\ntitle: {vi: Gói, en: Pack}\nchecks:\n  - id: a.b\n    title: {vi: T, en: T}\n    rationale: {vi: L, en: W}\n    remediation: {vi: S, en: F}\n    severity: high\n' +
      '    assert: {eol: {data: no-such-data}}\n'
    expect(() => loadPack('pack.yaml', text)).toThrow(/^pack\.yaml:10:\d+ \/checks\/0\/assert\/eol\/data names no end-of-life data set/)
    expect(() => loadPack('pack.yaml', text.replace('data: no-such-data', 'data: eol, within: 3'))).toThrow(ConfigError)
    expect(() => loadPack('pack.yaml', text.replace('data: no-such-data', 'data: eol, support: extended'))).toThrow(ConfigError)
    expect(loadPack('pack.yaml', text.replace('data: no-such-data', 'data: eol, support: regular')).eolData).toEqual(['eol'])
  })

  it('refuses a broken data file at its file:line: an unknown source, an extension that ends before the one it follows, a row checked after the review', () => {
    const file = path.join(dir, 'eol.yaml')
    writeFileSync(file, ONE.replace('source: S', 'source: T'))
    expect(() => loadEolData('test-broken', file)).toThrow(/eol\.yaml:5:\d+ \/releases\/0\/source names no source of the list: T/)
    writeFileSync(file, ONE.replace('end: 2033-06-30', 'end: 2027-06-30'))
    expect(() => loadEolData('test-broken', file)).toThrow(/eol\.yaml:5:\d+ \/releases\/0\/extended\/1\/end is before the end of the extension before it \(2028-06-30\)/)
    writeFileSync(file, ONE.replace('checked: 2026-12-06', 'checked: 2026-12-07'))
    expect(() => loadEolData('test-broken', file)).toThrow(/\/releases\/0\/checked is after the file's reviewed day 2026-12-06/)
    writeFileSync(file, ONE.replace('kind: community', 'kind: free'))
    expect(() => loadEolData('test-broken', file)).toThrow(ConfigError)
    writeFileSync(file, ONE)
    expect(loadEolData('test-good', file).releases[0]!.extended).toHaveLength(2)
  })
})

describe('the review of the end-of-life data', () => {
  it('warns when the data was reviewed more than 180 days before now, never before: now is given, not read from the clock', () => {
    const file = path.join(dir, 'old-eol.yaml')
    writeFileSync(file, ONE.replace('reviewed: 2026-12-06', 'reviewed: 2025-01-10').replace('checked: 2026-12-06', 'checked: 2025-01-10'))
    const old = loadEolData('test-old', file)
    expect(eolReviewWarning(file, old, new Date('2025-07-09T23:00:00Z'))).toBeUndefined() // 180 days
    const w = eolReviewWarning(file, old, new Date('2025-07-10T08:00:00Z'))
    expect(w).toBe(
      `warning: ${file} (end-of-life data) was last reviewed on 2025-01-10, 181 days ago (more than 180): vendors move their dates, so the os.eol verdicts may be out of date — compare its rows with the sources it lists and update it, or install a newer hatang`,
    )
  })

  it('is asked of the data sets the packs read: the built-in eol data, measured from its own reviewed day', () => {
    const packs = [loadPack(packFile('linux-server'))]
    const reviewed = Date.parse(`${loadEolData('eol').reviewed}T00:00:00Z`)
    expect(eolReviewWarnings(packs, new Date(reviewed + 180 * 86_400_000))).toEqual([])
    const late = eolReviewWarnings(packs, new Date(reviewed + 181 * 86_400_000))
    expect(late).toHaveLength(1)
    expect(late[0]).toContain(`${path.join('checks', 'data', 'eol.yaml')} (end-of-life data) was last reviewed on ${loadEolData('eol').reviewed}, 181 days ago`)
    expect(eolReviewWarnings([loadPack(packFile('fleet-sync'))], new Date(reviewed + 1000 * 86_400_000))).toEqual([])
  })
})

describe('maxAgeDays', () => {
  it('compares a date with the day the snapshot was taken', () => {
    const s = {...withData(base, 'system', {biosDate: '2021-11-25'}), meta: {...base.meta, collectedAt: '2026-11-24T10:00:00.000Z'}}
    expect(evaluate({path: 'system.biosDate', maxAgeDays: 1826}, s)).toEqual({verdict: 'pass'})
    const old = evaluate({path: 'system.biosDate', maxAgeDays: 1000}, s)
    expect({verdict: old.verdict, reason: old.reason}).toEqual({verdict: 'fail', reason: 'system.biosDate is "2021-11-25", 1825 days before the snapshot, expected at most 1000'})
    const notDate = withData(s, 'system', {biosDate: 'unknown'})
    expect(evaluate({path: 'system.biosDate', maxAgeDays: 10}, notDate)).toMatchObject({verdict: 'unknown', reason: 'system.biosDate is "unknown", not a date'})
  })
})
