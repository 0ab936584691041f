import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {parse} from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadCisMapping} from '../../../src/engine/checks/cis-mapping.js'
import {checkDataFile} from '../../../src/engine/checks/data-file.js'
import {loadLevelMapping, SECURITY_LEVELS} from '../../../src/engine/checks/level-mapping.js'
import {selectLevel} from '../../../src/engine/checks/level-profile.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'

let packs: Pack[]
let dir: string
beforeAll(() => {
  packs = builtinPackNames().map((n) => loadPack(packFile(n)))
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-refs-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Every problem a loader throws (the first and its `.more`); none when it does not throw. */
function problemMessages(load: () => unknown): string[] {
  try {
    load()
    return []
  } catch (error) {
    return [error as Error, ...((error as {more?: Error[]}).more ?? [])].map((e) => e.message)
  }
}

const checkIds = () => new Set(packs.flatMap((p) => p.checks.map((c) => c.id)))
const check = (id: string) => packs.flatMap((p) => p.checks).find((c) => c.id === id)!

describe('CIS mapping (checks/data/cis.yaml)', () => {
  it('names only checks that exist, and benchmarks with their edition and the control file read', () => {
    const m = loadCisMapping()
    expect(Object.keys(m.mappings).filter((id) => !checkIds().has(id))).toEqual([])
    expect(m.benchmarks['debian-12']).toMatchObject({name: 'CIS Benchmark for Debian 12', edition: '1.1.0', source: {repo: 'ComplianceAsCode/content', path: 'controls/cis_debian12.yml'}})
    expect(m.benchmarks['ubuntu-22.04']).toMatchObject({name: 'CIS Benchmark for Ubuntu 22.04 LTS', edition: '2.0.0', source: {path: 'controls/cis_ubuntu2204.yml'}})
    for (const b of Object.values(m.benchmarks)) expect(b.source.commit).toMatch(/^[0-9a-f]{40}$/)
  })

  it('is what the loaded checks carry: benchmark, edition, id, rules and where it was read', () => {
    const cis = check('ssh.max-auth-tries').references!.cis!
    expect(cis.map((c) => `${c.benchmark} ${c.edition} ${c.id} ${c.covers}`)).toEqual(['CIS Benchmark for Debian 12 1.1.0 5.1.16 all', 'CIS Benchmark for Ubuntu 22.04 LTS 2.0.0 5.1.16 all'])
    expect(cis[0]!.rules).toEqual(['sshd_set_max_auth_tries'])
    expect(cis[0]!.source!.path).toBe('controls/cis_debian12.yml')
    // the numbering differs between the two editions where the benchmarks differ: auditd is 6.2.1.2 in one, 6.3.1.2 in the other
    expect(check('audit.running').references!.cis!.map((c) => c.id)).toEqual(['6.2.1.2', '6.3.1.2'])
    // a check with no equivalent cites nothing
    expect(check('ssh.password-authentication').references!.cis).toBeUndefined()
    expect(check('disk.usage').references!.cis).toBeUndefined()
  })

  it('says how a check covers only part of a recommendation', () => {
    for (const entries of Object.values(loadCisMapping().mappings)) for (const e of entries) if (e.covers === 'part') expect(e.note, e.id).toBeTruthy()
    const file = path.join(dir, 'cis.yaml')
    const text = readFileSync(checkDataFile('cis')!, 'utf8').replace(/\nmappings:\n[\s\S]*$/, '\nmappings:\n  ssh.root-login:\n    - {benchmark: debian-12, id: 5.1.20, title: T, rules: [], covers: part}\n    - {benchmark: debian-13, id: 5.1.20, title: T, rules: [], covers: all}\n')
    writeFileSync(file, text)
    const line = (benchmark: string) => text.split('\n').findIndex((l) => l.includes(`benchmark: ${benchmark},`)) + 1
    const messages = problemMessages(() => loadCisMapping(file))
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`cis\\.yaml:${line('debian-12')}:\\d+ /mappings/ssh\\.root-login/0 covers part of the recommendation: say how in a note`)),
        expect.stringMatching(new RegExp(`cis\\.yaml:${line('debian-13')}:\\d+ /mappings/ssh\\.root-login/1/benchmark names no benchmark of this file`)),
      ]),
    )
  })
})

describe('security levels (checks/data/levels.yaml)', () => {
  it('names only checks that exist, every check of the security packs but disk space, and none of efficiency or fleet', () => {
    const m = loadLevelMapping()
    expect(Object.keys(m.mappings).filter((id) => !checkIds().has(id))).toEqual([])
    const security = packs.filter((p) => p.pack !== 'efficiency').flatMap((p) => p.checks.map((c) => c.id)).filter((id) => !id.startsWith('disk.'))
    expect(security.filter((id) => !(id in m.mappings))).toEqual([])
    const fleet = packs.flatMap((p) => (p.fleet ?? []).map((c) => c.id))
    expect(fleet.filter((id) => id in m.mappings)).toEqual([])
  })

  it('is unconfirmed throughout and cites no clause; central management starts at level 3', () => {
    const m = loadLevelMapping()
    for (const [id, e] of Object.entries(m.mappings)) {
      expect(e.confirmed, id).toBe(false)
      expect('clause' in e, id).toBe(false)
    }
    expect(Object.values(m.mappings).filter((e) => e.area === 'central-management').every((e) => e.level >= 3)).toBe(true)
    expect(check('logging.remote').references!.level).toEqual({framework: 'Circular 12/2022/TT-BTTTT', level: 3, area: 'central-management', status: 'unconfirmed'})
  })

  it('profiles grow with the level: level N judges a subset of level N+1, each exactly the mapped checks at N or below', () => {
    const raw = parse(readFileSync(checkDataFile('levels')!, 'utf8')) as {mappings: Record<string, {level: number}>}
    const ids = (n: (typeof SECURITY_LEVELS)[number]) => new Set(selectLevel(packs, n).packs.flatMap((p) => p.checks.map((c) => c.id)))
    for (const n of SECURITY_LEVELS) {
      const expected = Object.entries(raw.mappings).filter(([, e]) => e.level <= n).map(([id]) => id)
      expect([...ids(n)].sort(), `level ${n}`).toEqual(expected.sort())
      if (n < 5) for (const id of ids(n)) expect(ids((n + 1) as typeof n).has(id), `${id} at level ${n + 1}`).toBe(true)
    }
    expect(ids(1).has('ssh.root-login')).toBe(true)
    expect(ids(2).has('ssh.password-authentication')).toBe(false)
    expect(ids(3).has('ssh.password-authentication')).toBe(true)
    expect(ids(3).has('mac.enforcing')).toBe(false)
    expect(ids(4).has('mac.enforcing')).toBe(true)
    const three = selectLevel(packs, 3)
    expect(three.packs.some((p) => p.fleet !== undefined || p.pack === 'efficiency' || p.pack === 'fleet-sync')).toBe(false)
    expect(three.profile).toEqual({level: 3, framework: 'Circular 12/2022/TT-BTTTT', status: 'unconfirmed', checks: ids(3).size, uncovered: []})
  })

  it('a profile with no check among the packs given is a usage error', () => {
    const efficiency = packs.filter((p) => p.pack === 'efficiency')
    expect(() => selectLevel(efficiency, 3)).toThrow(/--level 3: no check of the packs efficiency is mapped to a security level/)
  })

  it('refuses an area it does not declare, at file:line', () => {
    const file = path.join(dir, 'levels.yaml')
    const text = readFileSync(checkDataFile('levels')!, 'utf8').replace(/\nmappings:\n[\s\S]*$/, '\nmappings:\n  ssh.root-login: {level: 1, area: no-such-area, confirmed: false}\n')
    writeFileSync(file, text)
    const line = text.split('\n').findIndex((l) => l.includes('no-such-area')) + 1
    expect(() => loadLevelMapping(file)).toThrow(new RegExp(`levels\\.yaml:${line}:\\d+ /mappings/ssh\\.root-login/area names no area`))
  })
})
