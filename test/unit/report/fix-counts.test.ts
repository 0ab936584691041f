import {beforeAll, describe, expect, it} from 'vitest'

import {fixFile, fixKind, FLEET_CHECK_FIX} from '../../../src/engine/fixes/fix-kind.js'
import {isAutoFix} from '../../../src/engine/fixes/fix-schema.js'
import {ResultsSchema, type HostReport, type Results} from '../../../src/model/results.js'
import {problemsOf} from '../../../src/model/validate.js'
import {AUTO, fixFleet, HN, MANUAL, VU, WAIVER} from './fix-fleet.js'
import {builtinPacks, resultsOf} from './fleet.js'

let results: Results
const host = (name: string) => results.hosts.find((h) => h.name === name)!
const status = (name: string, check: string) => host(name).results.find((r) => r.check === check)?.status

beforeAll(() => {
  results = resultsOf(fixFleet(), {waivers: [WAIVER]})
})

describe('fixKind: how a failed check is fixed', () => {
  const check = (id: string) => builtinPacks().flatMap((p) => p.checks).find((c) => c.id === id)!

  it('auto with the file hatang fix writes when the fix has tasks; manual with the reason, or without one', () => {
    expect(isAutoFix(check(AUTO).fix)).toBe(true)
    expect(fixKind(check(AUTO))).toEqual({kind: 'auto', file: 'fixes/ssh.max-auth-tries.yml'})
    expect(fixFile('a.b-c')).toBe('fixes/a.b-c.yml')
    const manual = check(MANUAL).fix as {manual: {vi: string; en: string}}
    expect(fixKind(check(MANUAL))).toEqual({kind: 'manual', reason: {vi: manual.manual.vi, en: manual.manual.en}})
    expect(fixKind({...check(AUTO), fix: undefined})).toEqual({kind: 'manual'})
    expect(FLEET_CHECK_FIX).toEqual({kind: 'manual'})
  })

  it("is every check's fix in the results, which match schema 1.7.0", () => {
    expect(results.schemaVersion).toBe('1.7.0')
    expect(problemsOf(ResultsSchema, results)).toEqual([])
    const packs = builtinPacks()
    for (const c of results.checks) expect(c.fix, c.id).toEqual(fixKind(packs.find((p) => p.pack === c.pack)!.checks.find((x) => x.id === c.id)!))
    expect(results.checks.find((c) => c.id === AUTO)?.fix?.file).toBe('fixes/ssh.max-auth-tries.yml')
  })
})

describe('fixable counts: failed findings, not waived, by how they are fixed', () => {
  const kind = (check: string) => results.checks.find((c) => c.id === check)?.fix?.kind
  const fixable = (name: string) => host(name).fixable!

  it('per host: every failed finding once, auto when its check has an automatic fix', () => {
    for (const h of results.hosts) {
      const fails = h.results.filter((r) => r.status === 'fail')
      expect(fixable(h.name).auto + fixable(h.name).manual, h.name).toBe(fails.length)
      expect(fixable(h.name).auto, h.name).toBe(fails.filter((r) => kind(r.check) === 'auto').length)
    }
  })

  it('a failed check with an automatic fix adds one automatic finding; one without adds a manual one', () => {
    expect([status('fix-a', AUTO), status('fix-b', AUTO), status('fix-a', MANUAL), status('fix-c', MANUAL)]).toEqual(['pass', 'fail', 'pass', 'fail'])
    expect(fixable('fix-b')).toEqual({auto: fixable('fix-a').auto + 1, manual: fixable('fix-a').manual})
    expect(fixable('fix-c')).toEqual({auto: fixable('fix-a').auto, manual: fixable('fix-a').manual + 1})
  })

  it('leaves out a waived finding, an unknown one and a host not collected', () => {
    expect(status('fix-d', AUTO)).toBe('waived')
    expect(fixable('fix-d')).toEqual(fixable('fix-c'))
    expect(status('fix-e', AUTO)).toBe('unknown')
    expect(fixable('fix-e').auto).toBeLessThanOrEqual(fixable('fix-a').auto)
    expect(fixable('fix-f')).toEqual({auto: 0, manual: 0})
  })

  it('per unit (the hosts whose own unit it is, by path) and for the run (every host)', () => {
    const sum = (hs: HostReport[]) => ({auto: hs.reduce((n, h) => n + h.fixable!.auto, 0), manual: hs.reduce((n, h) => n + h.fixable!.manual, 0)})
    const fx = results.dataQuality.fixable!
    expect({auto: fx.auto, manual: fx.manual}).toEqual(sum(results.hosts))
    expect(fx.units).toEqual([
      {path: VU.path, vi: VU.vi, en: VU.en, hosts: 2, ...sum([host('fix-a'), host('fix-b')])},
      {path: HN.path, vi: HN.vi, en: HN.en, hosts: 1, ...sum([host('fix-c')])},
    ])
  })
})

