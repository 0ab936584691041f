import {readFileSync} from 'node:fs'
import path from 'node:path'

import {Chalk} from 'chalk'
import {parse} from 'yaml'
import {describe, expect, it} from 'vitest'

import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {runFleetChecks} from '../../../src/engine/fleet/run-fleet.js'
import type {FleetFinding} from '../../../src/engine/fleet/types.js'
import {loadSnapshots} from '../../../src/engine/load-snapshots.js'
import type {GroupReference} from '../../../src/model/group-reference.js'
import {isInstalled} from '../../../src/model/sections/packages.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {renderFleet} from '../../../src/report/check-summary.js'
import {reasonsDir} from '../../../src/report/reason-book.js'
import {whyText} from '../../../src/report/why-text.js'
import {FIXTURES} from '../../support/fixtures.js'
import {asHost, withSection} from '../../support/snapshots.js'

/** The captured fleet of scripts/make-fleet-fixture.sh: web1..3 (web2 has an older openssh-server), db1..3 (db3 on bullseye). */
const fleet = () => loadSnapshots([path.join(FIXTURES, 'fleet')])
const pack = loadPack(packFile('fleet-sync'))
const byName = (snaps: Snapshot[], name: string) => snaps.find((s) => s.host.name === name)!
const version = (s: Snapshot, name: string) => s.sections.packages.data!.items.find((p) => p.name === name)!.version!
const installedNames = (s: Snapshot) => new Set(s.sections.packages.data!.items.filter(isInstalled).map((p) => p.name))

/** Snapshots as a sweep with this group declaring this reference would have recorded them. */
function declare(snaps: Snapshot[], ref: GroupReference): Snapshot[] {
  return snaps.map((s) => (s.host.groups?.includes(ref.group) ? {...s, host: {...s.host, references: [...(s.host.references ?? []), ref]}} : s))
}
/** The snapshots with these hosts made the only members of group `group` (the others moved out of it). */
function regroup(snaps: Snapshot[], group: string, members: string[]): Snapshot[] {
  return snaps.map((s) => ({...s, host: {...s.host, groups: members.includes(s.host.name) ? [group] : (s.host.groups ?? []).filter((g) => g !== group)}}))
}
const run = (snaps: Snapshot[], ...checks: string[]) => runFleetChecks(snaps, [{...pack, fleet: pack.fleet!.filter((c) => checks.length === 0 || checks.includes(c.id))}])
const inGroup = (f: FleetFinding[], group: string) => f.filter((x) => x.scope.kind === 'group' && x.scope.name === group)
const keyPackage = (f: FleetFinding[], group: string, name: string) => inGroup(f, group).find((x) => x.check === 'sync.key-packages' && x.subject.startsWith(`package ${name}`))!

describe('fleet checks against a declared reference (captured fleet snapshots)', () => {
  it('group web with reference web1: the older openssh-server of web2 is the drift, web1 never an outlier; db keeps the majority', () => {
    const snaps = fleet()
    const findings = run(declare(snaps, {group: 'web', host: 'web1'}))
    const ssh = keyPackage(findings, 'web', 'openssh-server')
    expect(ssh).toMatchObject({
      status: 'fail',
      rule: 'reference',
      reference: {kind: 'host', name: 'web1'},
      majority: {value: version(byName(snaps, 'web1'), 'openssh-server'), hosts: ['web1', 'web3']},
      outliers: [{host: 'web2', value: version(byName(snaps, 'web2'), 'openssh-server')}],
      why: {t: 'fleet.referenceDiffers'},
    })
    expect(ssh.reason).toContain('reference web1')
    // every compare finding of the group says it was judged against the reference; db, which declares none, the majority
    const compares = new Set(pack.fleet!.filter((c) => 'compare' in c).map((c) => c.id))
    for (const f of inGroup(findings, 'web').filter((x) => compares.has(x.check))) expect(f.rule, `${f.check} ${f.subject}`).toBe('reference')
    for (const f of inGroup(findings, 'db').filter((x) => compares.has(x.check))) expect(f.rule, `${f.check} ${f.subject}`).toBe('majority')
    expect(findings.flatMap((f) => (f.scope.name === 'web' ? f.outliers.map((o) => o.host) : []))).not.toContain('web1')
  })

  it('the terminal says the rule and the reference value, in English and Vietnamese', () => {
    const snaps = fleet()
    const [v1, v2] = ['web1', 'web2'].map((n) => version(byName(snaps, n), 'openssh-server'))
    const findings = run(declare(snaps, {group: 'web', host: 'web1'}), 'sync.key-packages', 'sync.os-release')
    const plain = new Chalk({level: 0})
    expect(renderFleet(findings, [pack], 'en', plain).join('\n')).toContain(`group web: package openssh-server, against the reference web1\n      reference value ${v1}: web1, web3\n      ≠ ${v2}: web2`)
    const vi = renderFleet(findings, [pack], 'vi', plain).join('\n')
    expect(vi).toContain(`nhóm web: package openssh-server, so với máy chuẩn web1\n      giá trị chuẩn ${v1}: web1, web3`)
    expect(vi).toMatch(/nhóm db: OS release, so với đa số\n\s+đa số Debian/)
  })

  it('where the majority blames the hardened host, the declared reference names the unhardened ones', () => {
    // a group of the hardened web1 and two hosts with web2's older openssh-server (web2 and a second copy of its snapshot)
    const snaps = regroup([...fleet(), asHost(byName(fleet(), 'web2'), 'web2b')], 'web', ['web1', 'web2', 'web2b'])
    const majority = keyPackage(run(snaps, 'sync.key-packages'), 'web', 'openssh-server')
    expect(majority).toMatchObject({status: 'fail', rule: 'majority', outliers: [{host: 'web1'}]})
    expect(majority.reason).toContain('majority')

    const judged = keyPackage(run(declare(snaps, {group: 'web', host: 'web1'}), 'sync.key-packages'), 'web', 'openssh-server')
    expect(judged.status).toBe('fail')
    expect(judged.outliers.map((o) => o.host)).toEqual(['web2', 'web2b'])
    expect(judged.majority!.hosts).toEqual(['web1'])
  })

  it('two groups of the same hosts, one with a reference: judged against it, not by a majority too', () => {
    const snaps = fleet().map((s) => (s.host.groups?.includes('web') ? {...s, host: {...s.host, groups: ['web', 'web-ref']}} : s))
    const findings = run(declare(snaps, {group: 'web-ref', host: 'web1'}), 'sync.key-packages').filter((f) => f.scope.name.startsWith('web') && f.subject.startsWith('package openssh-server'))
    expect(findings.map((f) => [f.scope.name, f.rule, f.outliers.map((o) => o.host).join()])).toEqual([['web-ref', 'reference', 'web2']])
  })

  it('sync.reference-packages names the packages the reference has and a host lacks (db3 on another release), and nothing without a reference', () => {
    const snaps = fleet()
    const [db1, db2, db3] = ['db1', 'db2', 'db3'].map((n) => byName(snaps, n))
    const lacks = [...installedNames(db1!)].filter((n) => !installedNames(db3!).has(n)).sort()
    expect(lacks.length).toBeGreaterThan(0)
    expect([...installedNames(db1!)].filter((n) => !installedNames(db2!).has(n))).toEqual([])
    const [f] = inGroup(run(declare(snaps, {group: 'db', host: 'db1'}), 'sync.reference-packages'), 'db')
    expect(f).toMatchObject({status: 'fail', rule: 'reference', reference: {kind: 'host', name: 'db1'}, why: {t: 'fleet.referenceLacksPackages'}})
    expect(f!.outliers.map((o) => o.host)).toEqual(['db3'])
    expect(f!.outliers[0]!.value.startsWith(lacks.slice(0, 20).join(', '))).toBe(true)
    expect(run(snaps, 'sync.reference-packages')).toEqual([])
  })

  it('a standard file: expected values from it, a value it does not state is unknown (never pass), excluded packages named', () => {
    const snaps = fleet()
    const web1 = byName(snaps, 'web1')
    const present = [...installedNames(web1)].sort()[0]!
    const standard = {file: 'standards/web.yaml', name: 'web-hardened', packages: {'openssh-server': version(web1, 'openssh-server'), [present]: 'absent'}, kernel: 'not-this-kernel'}
    const findings = inGroup(run(declare(snaps, {group: 'web', standard})), 'web')
    const ssh = keyPackage(findings, 'web', 'openssh-server')
    expect(ssh).toMatchObject({status: 'fail', rule: 'reference', reference: {kind: 'standard', name: 'web-hardened'}, outliers: [{host: 'web2'}], why: {t: 'fleet.standardDiffers'}})
    expect(ssh.majority!.hosts).toEqual(['web1', 'web3'])
    const kernel = findings.find((f) => f.check === 'sync.kernel')!
    expect(kernel.status).toBe('fail')
    expect(kernel.outliers.map((o) => o.host)).toEqual(['web1', 'web2', 'web3'])
    // the standard states no OS release: unknown, with the reason
    expect(findings.find((f) => f.check === 'sync.os-release')).toMatchObject({status: 'unknown', rule: 'reference', why: {t: 'fleet.standardSilent', p: {standard: 'web-hardened', subject: 'OS release'}}})
    expect(findings.filter((f) => f.status === 'pass').map((f) => f.check)).not.toContain('sync.os-release')
    const excluded = findings.find((f) => f.check === 'sync.reference-packages' && f.subject === 'packages excluded')!
    expect(excluded).toMatchObject({status: 'fail', why: {t: 'fleet.standardExcludedPackages'}})
    expect(excluded.outliers).toEqual(['web1', 'web2', 'web3'].map((host) => ({host, value: present})))
  })

  it('a reference without the value, not collected, or named differently by the snapshots: unknown, never pass', () => {
    const snaps = fleet()
    const noTime = snaps.map((s) => (s.host.name === 'web1' ? withSection(s, 'timeSync', {status: 'error', reason: 'chronyc: timeout'}) : s))
    const time = inGroup(run(declare(noTime, {group: 'web', host: 'web1'}), 'sync.time-source'), 'web')
    expect(time).toMatchObject([{status: 'unknown', rule: 'reference', outliers: [], why: {t: 'fleet.referenceNoData', p: {reference: 'web1', subject: 'time servers'}}}])

    const unreached = [...snaps, ...loadSnapshots([path.join(FIXTURES, 'fleet-unreached')])]
    const web4 = unreached.find((s) => s.host.name === 'web4')!
    expect(web4.host.groups).toContain('web')
    const kernel = inGroup(run(declare(unreached, {group: 'web', host: 'web4'}), 'sync.kernel'), 'web')
    expect(kernel).toMatchObject([{status: 'unknown', why: {t: 'fleet.referenceNotCollected', p: {reference: 'web4', status: web4.host.status}}}])

    const mixed = declare(snaps, {group: 'web', host: 'web1'}).map((s) => (s.host.name === 'web3' ? {...s, host: {...s.host, references: [{group: 'web', host: 'web3'}]}} : s))
    const disagree = inGroup(run(mixed, 'sync.kernel'), 'web')
    expect(disagree).toMatchObject([{status: 'unknown', why: {t: 'fleet.referencesDisagree', p: {group: 'web', references: 'web1, web3'}}}])
  })
})

describe('templates/reasons/fleet.yaml', () => {
  const file = parse(readFileSync(path.join(reasonsDir(), 'fleet.yaml'), 'utf8')) as {templates: Record<string, {en: string; vi: string}>}
  const names = (t: string) => [...t.matchAll(/\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!).sort()

  it('each template names the same parameters in both languages, in Vietnamese with its diacritics', () => {
    for (const [id, t] of Object.entries(file.templates)) {
      expect(names(t.vi), id).toEqual(names(t.en))
      expect(t.vi, id).toMatch(/[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/)
    }
  })

  it('every why the fleet checks give renders in both languages with every parameter its template names', () => {
    const snaps = fleet()
    const web1 = byName(snaps, 'web1')
    const first = [...installedNames(web1)][0]!
    const scenarios = [
      run(snaps),
      run(declare(snaps, {group: 'web', host: 'web1'})),
      run(declare(snaps, {group: 'db', host: 'db1'})),
      run(declare(snaps, {group: 'web', standard: {file: 's.yaml', packages: {'openssh-server': version(web1, 'openssh-server'), [first]: 'absent'}}})),
      run(declare([...snaps, ...loadSnapshots([path.join(FIXTURES, 'fleet-unreached')])], {group: 'web', host: 'web4'})),
    ]
    const whys = scenarios.flat().flatMap((f) => (f.why ? [f.why] : []))
    expect(new Set(whys.map((w) => w.t)).size).toBeGreaterThanOrEqual(8)
    for (const w of whys) {
      const t = file.templates[w.t]
      expect(t, w.t).toBeDefined()
      for (const n of names(t!.en)) expect(w.p?.[n], `${w.t} {${n}}`).toBeDefined()
      for (const lang of ['en', 'vi'] as const) {
        const text = whyText(w, lang)!
        expect(text, `${w.t} ${lang}`).toBeTruthy()
        expect(text).not.toMatch(/\{[A-Za-z0-9]+\}/)
      }
    }
  })
})
