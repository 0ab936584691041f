import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {collectHost} from '../../../src/collect/collect-host.js'
import {ConfigError} from '../../../src/config/config-error.js'
import {evaluate} from '../../../src/engine/checks/assertion.js'
import {findRelease, loadEolData} from '../../../src/engine/checks/eol.js'
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

  it('loads, validates, and covers Debian, Ubuntu LTS, RHEL, Rocky, AlmaLinux and Windows client and server, each with its source', () => {
    const distributions = new Set(data.releases.map((r) => r.distribution))
    for (const d of ['debian', 'ubuntu', 'rhel', 'rocky', 'almalinux', 'windows', 'windows-server']) expect(distributions, d).toContain(d)
    for (const r of data.releases) {
      expect(data.sources.map((s) => s.name), `${r.name} names a listed source`).toContain(r.source)
      if (r.released) expect(r.released < r.eol, `${r.name} is released before it ends`).toBe(true)
    }
    for (const v of ['20.04', '22.04', '24.04']) expect(findRelease(data, 'ubuntu', v)?.name).toBe(`Ubuntu ${v} LTS`)
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

describe('the eol assertion', () => {
  it('passes through the last day of support and fails the day after, naming the date and any paid extension', () => {
    expect(evaluate({eol: {data: 'eol'}}, host('debian', '11', '2026-08-31'))).toMatchObject({verdict: 'pass'})
    expect(evaluate({eol: {data: 'eol'}}, host('debian', '11', '2026-09-01'))).toEqual({
      verdict: 'fail',
      reason: 'Debian 11 (bullseye): security support ended on 2026-08-31; Freexian ELTS until 2031-06-30',
    })
    expect(evaluate({eol: {data: 'eol'}}, host('rhel', '7.9', '2026-11-24')).verdict).toBe('fail')
    expect(evaluate({eol: {data: 'eol'}}, host('rocky', '9.5', '2026-11-24')).verdict).toBe('pass')
  })

  it('with withinDays, fails while support still runs but ends soon', () => {
    const soon = {eol: {data: 'eol', withinDays: 180}}
    expect(evaluate(soon, host('debian', '12', '2026-11-24'))).toMatchObject({verdict: 'pass'})
    expect(evaluate(soon, host('debian', '12', '2028-03-01'))).toMatchObject({verdict: 'fail', reason: 'Debian 12 (bookworm): security support ends on 2028-06-30, in 121 days'})
  })

  it('is unknown for an OS that is not in the data, a release without a version, or no os section', () => {
    expect(evaluate({eol: {data: 'eol'}}, host('gentoo', '2.15', '2026-11-24'))).toMatchObject({verdict: 'unknown', reason: 'gentoo 2.15 is not in the end-of-life data (checks/data/eol.yaml)'})
    expect(evaluate({eol: {data: 'eol'}}, host('debian', undefined, '2026-11-24')).verdict).toBe('unknown')
    const blind = withSection(base, 'os', {status: 'unavailable', reason: 'not supported on Windows'})
    expect(evaluate({eol: {data: 'eol'}}, blind)).toMatchObject({verdict: 'unknown', reason: 'os: unavailable (not supported on Windows)'})
  })

  it('judges this machine from its real snapshot', () => {
    const o = evaluate({eol: {data: 'eol'}}, base)
    const {distribution, versionId} = base.sections.os.data ?? {}
    const release = distribution && versionId ? findRelease(loadEolData('eol'), distribution, versionId) : undefined
    if (!release) expect(o.verdict).toBe('unknown')
    else expect(o.verdict).toBe(Date.parse(base.meta.collectedAt) < Date.parse(`${release.eol}T00:00:00Z`) + 86_400_000 ? 'pass' : 'fail')
  })

  it('is refused by the pack loader when it names no data set, at its file:line', () => {
    const text =
      'pack: p\nversion: 1.0.0\ntitle: {vi: Gói, en: Pack}\nchecks:\n  - id: a.b\n    title: {vi: T, en: T}\n    rationale: {vi: L, en: W}\n    remediation: {vi: S, en: F}\n    severity: high\n' +
      '    assert: {eol: {data: no-such-data}}\n'
    expect(() => loadPack('pack.yaml', text)).toThrow(/^pack\.yaml:10:\d+ \/checks\/0\/assert\/eol\/data names no end-of-life data set/)
    expect(() => loadPack('pack.yaml', text.replace('data: no-such-data', 'data: eol, within: 3'))).toThrow(ConfigError)
  })

  it('refuses a broken data file at its file:line', () => {
    const file = path.join(dir, 'eol.yaml')
    writeFileSync(file, "dataset: eol\nreviewed: 2026-11-24\nsources: [{name: S, url: 'https://x'}]\nreleases:\n  - {distribution: debian, version: '12', name: D, eol: 2028-06-30, source: T}\n")
    expect(() => loadEolData('test-broken', file)).toThrow(/eol\.yaml:5:\d+ \/releases\/0\/source names no source of the list: T/)
  })
})

describe('maxAgeDays', () => {
  it('compares a date with the day the snapshot was taken', () => {
    const s = {...withData(base, 'system', {biosDate: '2021-11-25'}), meta: {...base.meta, collectedAt: '2026-11-24T10:00:00.000Z'}}
    expect(evaluate({path: 'system.biosDate', maxAgeDays: 1826}, s)).toMatchObject({verdict: 'pass'})
    const old = evaluate({path: 'system.biosDate', maxAgeDays: 1000}, s)
    expect({verdict: old.verdict, reason: old.reason}).toMatchObject({verdict: 'fail', reason: 'system.biosDate is "2021-11-25", 1825 days before the snapshot, expected at most 1000'})
    const notDate = withData(s, 'system', {biosDate: 'unknown'})
    expect(evaluate({path: 'system.biosDate', maxAgeDays: 10}, notDate)).toMatchObject({verdict: 'unknown', reason: 'system.biosDate is "unknown", not a date'})
  })
})
