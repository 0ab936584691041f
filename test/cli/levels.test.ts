import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {parse} from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {HostResults} from '../../src/engine/checks/run-checks.js'
import {checkDataFile} from '../../src/engine/checks/data-file.js'
import {builtinPackNames, packFile} from '../../src/engine/checks/builtin-packs.js'
import type {AuditOutcome} from '../../src/report/audit-summary.js'
import {hatang} from '../support/cli.js'

let dir: string
let snapshot: string

/** The levels file and the packs as written, read without hatang's loader: the expectation cannot borrow its code. */
const levels = parse(readFileSync(checkDataFile('levels')!, 'utf8')) as {mappings: Record<string, {level: number}>}
const packIds = builtinPackNames().flatMap((n) => ((parse(readFileSync(packFile(n), 'utf8')) as {checks?: {id: string}[]}).checks ?? []).map((c) => c.id))
const profile = (n: number) => packIds.filter((id) => (levels.mappings[id]?.level ?? Infinity) <= n).sort()

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-levels-'))
  const r = hatang(['collect', '--json', '--quiet', '--no-native'])
  expect(r.status, r.stderr).toBe(0)
  snapshot = path.join(dir, 'snap.json')
  writeFileSync(snapshot, r.stdout)
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('--level N: the checks a system of that security level must pass', () => {
  it('check --level 3 judges exactly the checks the levels file maps to levels 1-3, and says the mapping is unconfirmed', () => {
    const r = hatang(['check', snapshot, '--level', '3', '--json'])
    expect([0, 1, 6], r.stderr).toContain(r.status)
    const out = JSON.parse(r.stdout) as {hosts: HostResults[]; fleet: unknown[]; packs: {pack: string}[]; level: {level: number; status: string; checks: number; framework: string}}
    const judged = out.hosts[0]!.results.map((x) => x.check).sort()
    expect(judged).toEqual(profile(3))
    expect(judged).toContain('ssh.password-authentication')
    expect(judged).not.toContain('mac.enforcing')
    expect(judged).not.toContain('eff.uptime')
    expect(judged).not.toContain('disk.usage')
    expect(out.fleet).toEqual([])
    expect(out.packs.map((p) => p.pack)).toEqual(['linux-server', 'linux-workstation'])
    expect(out.level).toMatchObject({level: 3, framework: 'Circular 12/2022/TT-BTTTT', status: 'unconfirmed', checks: profile(3).length})
    const text = hatang(['check', snapshot, '--level', '3'])
    expect(text.stdout).toContain(`security level 3 profile (Circular 12/2022/TT-BTTTT): ${profile(3).length} checks — mapping unconfirmed`)
    // every area is judged at level 3 (backup by backup.present)
    expect(text.stdout).not.toContain('no check judges')
    // a lower level judges fewer checks, all of them in the higher one's
    const one = (JSON.parse(hatang(['check', snapshot, '--level', '1', '--json']).stdout) as {hosts: HostResults[]}).hosts[0]!.results.map((x) => x.check)
    expect(one.length).toBeLessThan(judged.length)
    expect(one.filter((id) => !judged.includes(id))).toEqual([])
  })

  it('a level outside 1-5 is a usage error (exit 2), before anything is read', () => {
    for (const bad of ['0', '6', 'three']) {
      const r = hatang(['check', snapshot, '--level', bad])
      expect(r.status, bad).toBe(2)
      expect(r.stderr).toMatch(/--level/)
    }
  })

  it('audit --level 3 judges the same profile and says so in --json and in its summary', () => {
    const cwd = mkdtempSync(path.join(dir, 'audit-'))
    const args = ['audit', '--no-native', '--quiet', '--fail-on', 'none', '--store', path.join(cwd, 'store.db'), '-o', cwd, '--level', '3']
    const r = hatang([...args, '--json'], {cwd})
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as AuditOutcome
    expect(out.level).toMatchObject({level: 3, status: 'unconfirmed', checks: profile(3).length})
    const text = hatang(args, {cwd})
    expect(text.status, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^security level 3 profile \(Circular 12\/2022\/TT-BTTTT\): \d+ checks — mapping unconfirmed/m)
    expect(hatang(['audit', '--level', '9'], {cwd}).status).toBe(2)
  })
})
