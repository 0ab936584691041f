import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/config/config-error.js'
import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'

const head = 'pack: p\nversion: 1.0.0\ntitle: {vi: Gói, en: Pack}\n'
const texts = '    title: {vi: a, en: a}\n    rationale: {vi: b, en: b}\n    remediation: {vi: c, en: c}\n    severity: low\n'
const errorOf = (text: string): ConfigError => {
  try {
    loadPack('p.yaml', text)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('the pack loaded')
}

describe('fleet check packs', () => {
  it('the built-in fleet-sync pack loads: fleet checks only, every kind, bilingual', () => {
    const p = loadPack(packFile('fleet-sync'))
    expect(p.checks).toEqual([])
    expect(p.fleet!.length).toBeGreaterThanOrEqual(13)
    const kinds = new Set(p.fleet!.map((c) => ('compare' in c ? 'compare' : 'unique' in c ? 'unique' : 'within' in c ? 'within' : 'reached')))
    expect(kinds).toEqual(new Set(['compare', 'unique', 'within', 'reached']))
    for (const c of p.fleet!) for (const t of [c.title, c.rationale, c.remediation]) expect(t.vi).not.toBe(t.en)
  })

  it('a pack may mix per-host and fleet checks; ids are unique across both', () => {
    const mixed = `${head}checks:\n  - id: a.b\n${texts}    assert: {path: os.family, equals: Linux}\nfleet:\n  - id: a.c\n${texts}    compare: {path: os.kernel}\n`
    expect(loadPack('p.yaml', mixed)).toMatchObject({checks: [{id: 'a.b'}], fleet: [{id: 'a.c'}]})
    const twice = mixed.replace('id: a.c', 'id: a.b')
    expect(errorOf(twice).format()).toMatch(/p\.yaml:12:9 \/fleet\/0\/id repeats the id 'a\.b' of check 1/)
  })

  it('errors are positioned: a bad scope, compare with both path and packages, no check at all, a bad regex in `where`', () => {
    const scope = `${head}fleet:\n  - id: a.c\n${texts}    compare: {path: os.kernel, scope: [site]}\n`
    expect(errorOf(scope).format()).toMatch(/^p\.yaml:10:40 \/fleet\/0\/compare\/scope\/0 must be one of group, role, fleet/)
    const both = `${head}fleet:\n  - id: a.c\n${texts}    compare:\n      path: os.kernel\n      packages: [openssl]\n`
    expect(errorOf(both).format()).toMatch(/^p\.yaml:11:7 \/fleet\/0\/compare needs either path or packages \(not both\)/)
    expect(errorOf(both.replace('      path: os.kernel\n', '      keys: true\n')).format()).toMatch(/^p\.yaml:11:13 \/fleet\/0\/compare\/keys applies to a path, not to packages/)
    expect(errorOf(head).format()).toMatch(/^p\.yaml:1:1 must have required property 'checks'/)
    const regex = `${head}fleet:\n  - id: a.c\n${texts}    unique: {path: network.interfaces, item: mac, where: {path: name, matches: '('}}\n`
    expect(errorOf(regex).format()).toMatch(/^p\.yaml:10:80 \/fleet\/0\/unique\/where\/matches is not a valid regular expression/)
  })
})
